import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import { TERMINAL_RUN_STATUSES } from '../../core/run/events.ts'
import type { ServerContext } from '../context.ts'
import { notFound } from '../errors.ts'
import type { RunWithSteps } from '../repos/runs.ts'
import { followStoredRun, runFinished } from '../runs/follow-stored.ts'
import type { LiveRunEvent } from '../runs/live.ts'
import { presentRunWithSteps } from './present.ts'

/** How often an idle event stream sends a comment, so proxies keep it open. */
const KEEPALIVE_MS = 15_000

/**
 * How long a client should wait before reconnecting after `server-stopping`: long enough for a
 * load balancer to see the process gone, short enough that the canvas barely pauses.
 */
export const RECONNECT_MS = 1000

/**
 * `GET /api/runs/:id/events`: the run's snapshot, then its live events until `run.finished`. When
 * the server stops first, the last event is `server-stopping` (the run is not finished; reconnect)
 * with an SSE `retry:` hint, so a client can tell it from a broken connection.
 */
export async function runEventStream(c: Context, ctx: ServerContext, id: string) {
  const { runs, runService, eventStreams } = ctx
  // Subscribe before reading the snapshot so no event falls between the two; an event the
  // snapshot already reflects may arrive again, which is harmless (events are states).
  const buffered: LiveRunEvent[] = []
  let forward: ((event: LiveRunEvent) => void) | undefined
  const unsubscribe = ctx.live.subscribe(id, (event) => (forward ? forward(event) : buffered.push(event)))
  let snapshot: RunWithSteps | undefined
  try {
    snapshot = await runs.getWithSteps(id)
  } catch (err) {
    unsubscribe()
    throw err
  }
  if (!snapshot) {
    unsubscribe()
    throw notFound('run', id)
  }
  const initial = snapshot
  return streamSSE(c, async (stream) => {
    let finish!: () => void
    const finished = new Promise<void>((resolve) => {
      finish = resolve
    })
    stream.onAbort(finish)
    // The shutdown ends the stream too, once runs are finished or handed back.
    if (eventStreams.signal.aborted) finish()
    else eventStreams.signal.addEventListener('abort', finish, { once: true })
    let done!: () => void
    eventStreams.track(
      new Promise<void>((resolve) => {
        done = resolve
      })
    )
    let sequence = 0
    let ended = false
    const send = async (event: string, data: unknown, retry?: number) => {
      if (event === 'run.finished') ended = true
      await stream.writeSSE({
        event,
        data: JSON.stringify(data),
        id: String(++sequence),
        ...(retry === undefined ? {} : { retry }),
      })
    }
    try {
      await send('snapshot', presentRunWithSteps(initial))
      if (TERMINAL_RUN_STATUSES.includes(initial.status)) return
      const keepalive = setInterval(() => {
        stream.write(': keepalive\n\n').catch(finish)
      }, KEEPALIVE_MS)
      try {
        if (runService.isActive(id) || buffered.length > 0) {
          // Executing here: the recorder's events, as each is stored.
          let chain = Promise.resolve()
          forward = (event) => {
            chain = chain.then(() => send(event.type, event))
            if (event.type === 'run.finished') chain.then(finish, finish)
          }
          for (const event of buffered.splice(0)) forward(event)
          await finished
          // Events still being written go out before any last word (a client that left needs none).
          if (!stream.aborted) await chain.catch(() => {})
        } else {
          // Executed by another process, or not claimed yet: follow what the database says.
          unsubscribe()
          let over = false
          void finished.then(() => {
            over = true
          })
          for await (const change of followStoredRun((runId) => runs.getWithSteps(runId), initial, {
            stopped: () => over || stream.aborted,
          })) {
            if (change.kind === 'snapshot') await send('snapshot', presentRunWithSteps(change.run))
            else await send(change.event.type, change.event)
          }
        }
      } finally {
        clearInterval(keepalive)
      }
      if (!ended && !stream.aborted && eventStreams.signal.aborted) await sayStopping(id)
    } finally {
      unsubscribe()
      eventStreams.signal.removeEventListener('abort', finish)
      done()
    }

    /** The last word of a stream the shutdown ends: where the run stands, and to reconnect. */
    async function sayStopping(runId: string) {
      const run = await runs.get(runId).catch(() => undefined)
      // Finished after all (in the grace time, or by another process): say so as usual.
      if (run && TERMINAL_RUN_STATUSES.includes(run.status)) return send('run.finished', runFinished(run))
      await send(
        'server-stopping',
        {
          type: 'server-stopping',
          runId,
          finished: false,
          ...(run ? { status: run.status } : {}),
          retryMs: RECONNECT_MS,
          message: `the server is stopping and run "${runId}" is not finished${run ? ` (${run.status})` : ''}; another process or the next start goes on with it: reconnect to keep following it`,
        },
        RECONNECT_MS
      )
    }
  })
}
