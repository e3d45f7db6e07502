import type { Teardown, TriggerContext } from '../../core/plugin/types.ts'
import { type Clock, clockOf, MAX_TIMER_MS } from '../shared/clock.ts'
import type { ScheduleConfig } from './config.ts'
import { compileSchedule } from './schedule.ts'

/**
 * Keep one timer armed for the schedule's next instant and fire a run when it comes. Fires missed
 * while the process was down or stalled are skipped, as cron does: a late timer fires once and the
 * next instant is taken from the current time, so a long pause never releases a burst of runs.
 */
export function armSchedule(ctx: TriggerContext<ScheduleConfig>): Teardown {
  const clock: Clock = clockOf(ctx.services)
  const schedule = compileSchedule(ctx.config)
  let cancel: (() => void) | undefined
  let stopped = false

  const waitFor = (at: number) => {
    const delay = at - clock.now()
    cancel = clock.setTimer(
      () => {
        if (stopped) return
        if (clock.now() < at) return waitFor(at) // a chunk of a long wait, or a timer that ran early
        fire(at)
        armAfter(Math.max(at, clock.now()))
      },
      Math.min(Math.max(0, delay), MAX_TIMER_MS)
    )
  }

  const armAfter = (after: number) => {
    const at = schedule.next(after)
    if (at === null) {
      ctx.log('info', `schedule of flow ${ctx.flowId} has no further fire times`)
      return
    }
    waitFor(at)
  }

  const fire = (at: number) => {
    const scheduledAt = new Date(at).toISOString()
    ctx
      .fire(
        { trigger: { kind: ctx.config.kind, scheduledAt } },
        { dedupeKey: `schedule:${ctx.flowId}:${ctx.node.id}:${at}` }
      )
      .catch((err: unknown) =>
        ctx.log('warn', `scheduled run of flow ${ctx.flowId} at ${scheduledAt} was not started`, {
          error: err instanceof Error ? err.message : String(err),
        })
      )
  }

  armAfter(clock.now())
  return () => {
    stopped = true
    cancel?.()
  }
}
