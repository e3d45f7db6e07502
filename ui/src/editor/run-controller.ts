import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { RunStatus } from '../../../core/run/events.ts'
import { TERMINAL_RUN_STATUSES } from '../../../core/run/events.ts'
import { ApiError, type LiveEvent, type QflowClient, type RunRecord, type StepRecord } from '../api/client.ts'
import type { NodeRunState } from '../canvas/graph-types.ts'

const POLL_MS = 800
/** Waits between tries while the server cannot be reached: 1 s, 2 s, 4 s, 8 s, then every 10 s. */
const RETRY_FIRST_MS = 1000
const RETRY_MAX_MS = 10_000

/** The pause before the `failures`-th try in a row to reach a server that is down. */
export function retryDelay(failures: number): number {
  return Math.min(RETRY_FIRST_MS * 2 ** Math.max(0, failures - 1), RETRY_MAX_MS)
}

export interface RunCallbacks {
  onStart(runId: string, until?: string): void
  onFinish(runId: string, status: RunStatus): void
}

/**
 * The run shown on the canvas: starts runs, follows their events live (server-sent events, falling
 * back to polling), and opens old runs from the history. Statuses are kept per node id.
 */
export class RunController implements ReactiveController {
  run: RunRecord | null = null
  statuses: Record<string, NodeRunState> = {}
  /** The followed run's stream dropped and the server has not answered again yet. */
  reconnecting = false
  private abort: AbortController | null = null

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly client: () => QflowClient,
    private readonly callbacks: RunCallbacks
  ) {
    host.addController(this)
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.abort?.abort()
  }

  get active(): boolean {
    return !!this.run && !TERMINAL_RUN_STATUSES.includes(this.run.status)
  }

  step(nodeId: string): StepRecord | null {
    return this.run?.steps.find((s) => s.nodeId === nodeId) ?? null
  }

  async start(
    flowId: string,
    options: { until?: string; accounts?: string[]; regions?: string[] } = {}
  ): Promise<string> {
    const runId = await this.client().startRun(flowId, options)
    this.run = { id: runId, flowId, status: 'queued', until: options.until ?? null, steps: [] }
    this.statuses = {}
    this.host.requestUpdate()
    this.callbacks.onStart(runId, options.until)
    this.follow(runId)
    return runId
  }

  /** Show a stored run; follow it if it is still going. */
  async open(runId: string): Promise<void> {
    this.abort?.abort()
    const run = await this.client().getRun(runId)
    this.setRun(run)
    if (!TERMINAL_RUN_STATUSES.includes(run.status)) this.follow(runId)
  }

  clear(): void {
    this.abort?.abort()
    this.run = null
    this.statuses = {}
    this.reconnecting = false
    this.host.requestUpdate()
  }

  private setReconnecting(reconnecting: boolean): void {
    if (this.reconnecting === reconnecting) return
    this.reconnecting = reconnecting
    this.host.requestUpdate()
  }

  private setRun(run: RunRecord): void {
    this.run = run
    const statuses: Record<string, NodeRunState> = {}
    for (const step of run.steps)
      statuses[step.nodeId] = {
        status: step.status,
        itemsIn: step.inputCount,
        itemsOut: step.outputCount,
        outputCounts: step.outputCounts,
        error: step.error?.message ?? step.warning?.message,
      }
    this.statuses = statuses
    this.host.requestUpdate()
  }

  private follow(runId: string): void {
    this.abort?.abort()
    const abort = new AbortController()
    this.abort = abort
    this.setReconnecting(false)
    void this.keepFollowing(runId, abort.signal).finally(() => {
      if (this.abort === abort) this.setReconnecting(false)
    })
  }

  /**
   * Streams the run's events until it finishes. A stream that ends first (the server stopping,
   * which says so with `server-stopping`, or a dropped connection) is opened again after a pause
   * and starts with a fresh snapshot, whichever process runs the run by then; meanwhile the editor
   * says the connection is lost. A server that cannot be reached is tried again after longer and
   * longer pauses, since each refused request is an error in the browser's console. A server that
   * answers but not with a stream (refused: one without it, a proxy; or failing) has its stored run
   * read instead, so the canvas keeps up.
   */
  private async keepFollowing(runId: string, signal: AbortSignal): Promise<void> {
    let streams = true
    let failures = 0
    while (!signal.aborted) {
      if (streams) {
        try {
          const end = await this.client().followRun(
            runId,
            (event) => {
              failures = 0
              this.setReconnecting(false)
              this.apply(event)
            },
            signal
          )
          if (signal.aborted) return
          // A run already over sends its snapshot and nothing more.
          if (end.finished || (this.run && !this.active)) return this.finish(runId)
          this.setReconnecting(true)
          await pause(end.retryMs ?? POLL_MS, signal)
          continue
        } catch (err) {
          if (signal.aborted) return
          if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429)
            streams = false
          else {
            failures++
            this.setReconnecting(true)
            await pause(retryDelay(failures), signal)
            // Not reached at all: there is nothing to read either.
            if (!(err instanceof ApiError)) continue
          }
        }
      }
      if (!streams) await pause(POLL_MS, signal)
      if (signal.aborted) return
      const stored = await this.readStored(runId, signal)
      if (stored === 'done') return
      if (streams) continue
      // Only read: a server that stops answering is asked less and less often too.
      if (stored === 'going') {
        failures = 0
        this.setReconnecting(false)
      } else {
        failures++
        this.setReconnecting(true)
        await pause(retryDelay(failures), signal)
      }
    }
  }

  /** Show the stored run: `done` once it is finished (and reported) or gone. */
  private async readStored(runId: string, signal: AbortSignal): Promise<'done' | 'going' | 'unreachable'> {
    try {
      const run = await this.client().getRun(runId)
      if (signal.aborted) return 'done'
      this.setRun(run)
      if (!TERMINAL_RUN_STATUSES.includes(run.status)) return 'going'
      this.callbacks.onFinish(runId, run.status)
      return 'done'
    } catch (err) {
      // Deleted meanwhile: nothing left to follow.
      if (err instanceof ApiError && err.status === 404) return 'done'
      // A dropped request is retried later; the run goes on server-side regardless.
      return 'unreachable'
    }
  }

  private apply(event: LiveEvent): void {
    if (event.type === 'snapshot') {
      this.setRun(event.run)
      return
    }
    const s = { ...this.statuses }
    switch (event.type) {
      case 'run.started':
        for (const id of event.nodeIds) s[id] = { status: 'pending' }
        if (this.run) this.run = { ...this.run, status: 'running' }
        break
      case 'node.started':
        s[event.nodeId] = { status: 'running', itemsIn: event.inputCount ?? countItems(event.input) }
        break
      case 'node.finished':
        s[event.nodeId] = {
          ...s[event.nodeId],
          status: event.status,
          itemsOut: event.outputCount ?? countItems(event.output),
          outputCounts: event.outputCounts ?? portCounts(event.output),
          error: event.warning?.message,
        }
        break
      case 'node.failed':
        s[event.nodeId] = { ...s[event.nodeId], status: event.status, error: event.error.message }
        break
      case 'run.finished':
        if (this.run) this.run = { ...this.run, status: event.status }
        break
    }
    this.statuses = s
    this.host.requestUpdate()
  }

  /** After the stream ends, load the stored run for previews and exact counts. */
  private async finish(runId: string): Promise<void> {
    try {
      const run = await this.client().getRun(runId)
      this.setRun(run)
      this.callbacks.onFinish(runId, run.status)
    } catch {
      this.callbacks.onFinish(runId, this.run?.status ?? 'failed')
    }
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (a followed run was replaced). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}

/** Items by port, when an event carries the items themselves. */
function portCounts(items: unknown): Record<string, number> | undefined {
  if (!items || typeof items !== 'object') return undefined
  const counts: Record<string, number> = {}
  for (const [port, list] of Object.entries(items)) if (Array.isArray(list)) counts[port] = list.length
  return counts
}

/** Events carry items or counts, depending on how much the server streams. */
function countItems(items: unknown): number | undefined {
  if (typeof items === 'number') return items
  if (!items || typeof items !== 'object') return undefined
  let count = 0
  for (const list of Object.values(items))
    count += Array.isArray(list) ? list.length : typeof list === 'number' ? list : 0
  return count
}
