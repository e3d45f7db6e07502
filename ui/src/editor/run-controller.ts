import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { RunStatus } from '../../../core/run/events.ts'
import { TERMINAL_RUN_STATUSES } from '../../../core/run/events.ts'
import type { LiveEvent, QflowClient, RunRecord, StepRecord } from '../api/client.ts'
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
    this.client()
      .followRun(runId, (event) => this.apply(event), abort.signal)
      .then(() => (abort.signal.aborted ? undefined : this.finish(runId)))
      .catch(() => {
        if (!abort.signal.aborted) void this.poll(runId, abort.signal)
      })
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

  private async poll(runId: string, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const run = await this.client().getRun(runId)
        if (signal.aborted) return
        this.setRun(run)
        if (TERMINAL_RUN_STATUSES.includes(run.status)) return this.callbacks.onFinish(runId, run.status)
      } catch {
        // A dropped request is retried on the next tick; the run goes on server-side regardless.
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
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
