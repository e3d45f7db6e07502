import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { RunStatus } from '../../../core/run/events.ts'
import { TERMINAL_RUN_STATUSES } from '../../../core/run/events.ts'
import { ApiError, type LiveEvent, type QflowClient, type RunRecord, type StepRecord } from '../api/client.ts'
import type { NodeRunState } from '../canvas/graph-types.ts'

const POLL_MS = 800

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
    void this.keepFollowing(runId, abort.signal)
  }

  /**
   * Streams the run's events until it finishes. A stream that ends first (the server stopping,
   * which says so with `server-stopping`, or a dropped connection) is opened again after a pause
   * and starts with a fresh snapshot, whichever process runs the run by then. Between tries, and
   * while no stream opens (the server restarting), the stored run is read, so the canvas keeps up.
   */
  private async keepFollowing(runId: string, signal: AbortSignal): Promise<void> {
    let streams = true
    while (!signal.aborted) {
      let pauseMs = POLL_MS
      if (streams) {
        try {
          const end = await this.client().followRun(runId, (event) => this.apply(event), signal)
          if (signal.aborted) return
          if (end.finished) return this.finish(runId)
          pauseMs = end.retryMs ?? POLL_MS
        } catch (err) {
          // A server that refuses the stream itself (one without it, a proxy) is only read from now on.
          if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429)
            streams = false
        }
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs))
      if (signal.aborted) return
      if (await this.readStored(runId, signal)) return
    }
  }

  /** Show the stored run; true once it is finished (and reported) or gone. Unreachable: try again later. */
  private async readStored(runId: string, signal: AbortSignal): Promise<boolean> {
    try {
      const run = await this.client().getRun(runId)
      if (signal.aborted) return true
      this.setRun(run)
      if (!TERMINAL_RUN_STATUSES.includes(run.status)) return false
      this.callbacks.onFinish(runId, run.status)
      return true
    } catch (err) {
      // Deleted meanwhile: nothing left to follow.
      if (err instanceof ApiError && err.status === 404) return true
      // A dropped request is retried on the next tick; the run goes on server-side regardless.
      return false
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
