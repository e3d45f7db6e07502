import { describe, expect, it } from 'vitest'
import type { FireOptions, TriggerContext } from '../../../core/plugin/types.ts'
import type { TriggerConfig } from '../../../plugins/trigger/config.ts'
import trigger from '../../../plugins/trigger/index.ts'
import { FakeClock } from '../../support/fake-clock.ts'

function arm(config: Record<string, unknown>, clock: FakeClock, fail = false) {
  const fired: { input: unknown; options?: FireOptions; at: number }[] = []
  const logs: string[] = []
  const ctx: TriggerContext<TriggerConfig> = {
    flowId: 'flow-1',
    node: { id: 'trigger', type: 'trigger', label: '' },
    config: trigger.config.parse(config),
    async fire(input, options) {
      fired.push({ input, options, at: clock.now() })
      if (fail) throw new Error('queue is full')
    },
    log: (_level, message) => logs.push(message),
    services: { clock },
  }
  return { teardown: trigger.activate!(ctx), fired, logs }
}

describe('trigger activation', () => {
  it('fires a recurrent schedule at each instant on a fake clock, keyed by the instant', async () => {
    const clock = new FakeClock(Date.parse('2026-05-01T10:07:00Z'))
    const { fired, teardown } = arm({ kind: 'recurrent', every: 15, unit: 'minutes' }, clock)
    await clock.advanceTo(Date.parse('2026-05-01T10:50:00Z'))
    expect(fired.map((f) => new Date(f.at).toISOString())).toEqual([
      '2026-05-01T10:15:00.000Z',
      '2026-05-01T10:30:00.000Z',
      '2026-05-01T10:45:00.000Z',
    ])
    expect(fired[0]!.input).toEqual({
      trigger: { kind: 'recurrent', scheduledAt: '2026-05-01T10:15:00.000Z' },
    })
    expect(fired[0]!.options?.dedupeKey).toBe(`schedule:flow-1:trigger:${Date.parse('2026-05-01T10:15:00Z')}`)
    await (await teardown)()
  })

  it('fires a cron in another time zone at the right instant', async () => {
    const clock = new FakeClock(Date.parse('2026-07-01T00:00:00Z'))
    const { fired, teardown } = arm(
      { kind: 'cron', expression: '0 9 * * *', timezone: 'America/Los_Angeles' },
      clock
    )
    await clock.advanceTo(Date.parse('2026-07-01T15:59:59Z'))
    expect(fired).toEqual([])
    await clock.advanceTo(Date.parse('2026-07-01T16:00:00Z')) // 09:00 PDT
    expect(fired.map((f) => new Date(f.at).toISOString())).toEqual(['2026-07-01T16:00:00.000Z'])
    await (await teardown)()
  })

  it('waits out schedules longer than one timer can hold', async () => {
    const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'))
    const { fired, teardown } = arm({ kind: 'cron', expression: '0 0 1 6 *' }, clock)
    await clock.advanceTo(Date.parse('2026-05-31T23:59:00Z'))
    expect(fired).toEqual([])
    await clock.advanceTo(Date.parse('2026-06-01T00:00:00Z'))
    expect(fired).toHaveLength(1)
    await (await teardown)()
  })

  it('teardown stops the schedule at once and leaves no timer behind', async () => {
    const clock = new FakeClock(Date.parse('2026-05-01T10:00:00Z'))
    const { fired, teardown } = arm({ kind: 'recurrent', every: 1, unit: 'minutes' }, clock)
    await clock.advanceBy(60_000)
    expect(fired).toHaveLength(1)
    await (await teardown)()
    expect(clock.pending).toBe(0)
    await clock.advanceBy(10 * 60_000)
    expect(fired).toHaveLength(1)
  })

  it('skips missed instants after a stall instead of firing a burst', async () => {
    const clock = new FakeClock(Date.parse('2026-05-01T10:00:30Z'))
    const { fired, teardown } = arm({ kind: 'recurrent', every: 1, unit: 'minutes' }, clock)
    // The process stalls: the clock jumps past five instants before the timer gets to run.
    clock.jumpTo(Date.parse('2026-05-01T10:05:10Z'))
    await clock.advanceBy(0)
    expect(fired).toHaveLength(1)
    await clock.advanceTo(Date.parse('2026-05-01T10:06:00Z'))
    expect(fired.map((f) => new Date(f.at).toISOString())).toEqual([
      '2026-05-01T10:05:10.000Z',
      '2026-05-01T10:06:00.000Z',
    ])
    await (await teardown)()
  })

  it('logs a fire the host refused and keeps the schedule going', async () => {
    const clock = new FakeClock(Date.parse('2026-05-01T10:00:00Z'))
    const { fired, logs, teardown } = arm({ kind: 'recurrent', every: 1, unit: 'minutes' }, clock, true)
    await clock.advanceBy(2 * 60_000)
    expect(fired).toHaveLength(2)
    expect(logs[0]).toMatch(/was not started/)
    await (await teardown)()
  })

  it('arms nothing for manual, TotalCloud and event triggers', async () => {
    const clock = new FakeClock(0)
    for (const config of [{}, { kind: 'totalcloud' }, { kind: 'event', pattern: { source: ['aws.rds'] } }]) {
      const { teardown } = arm(config, clock)
      expect(clock.pending).toBe(0)
      await (await teardown)()
    }
  })
})
