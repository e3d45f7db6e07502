import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit'
import type { NodeTypeDescription } from '../../../core/plugin/registry.ts'
import type { QflowClient, RunRecord } from '../api/client.ts'
import type { QflowCanvas } from '../canvas/flow-canvas.ts'
import '../panels/run-history.ts'
import '../panels/run-inspector.ts'
import type { RunController } from './run-controller.ts'

export type SidePanel = { kind: 'details'; nodeId: string } | { kind: 'history' } | null

/** What the side panel needs from the editor that hosts it. */
export interface SidePanelHost {
  client(): QflowClient
  /** The stored flow's id; none while it is new. */
  flowId(): string | undefined
  runner: RunController
  selected(): string[]
  canvas(): QflowCanvas | null
  labelOf(nodeId: string): string
  typeOf(nodeId: string): NodeTypeDescription | undefined
  fail(err: unknown): void
}

/**
 * The panel beside the canvas: a node's execution details in the shown run, or the flow's run
 * history (opening a past run shows it on the canvas). Keeps the flow in sight when the panel opens
 * and narrows the canvas.
 */
export class SidePanelController implements ReactiveController {
  private current: SidePanel = null
  /** The panel as last rendered, to tell a panel that just opened from one already there. */
  private shown: SidePanel = null
  private runs: RunRecord[] = []
  private runsLoading = false

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly editor: SidePanelHost
  ) {
    host.addController(this)
  }

  hostConnected(): void {}

  get side(): SidePanel {
    return this.current
  }

  set side(next: SidePanel) {
    this.current = next
    this.host.requestUpdate()
  }

  get historyOpen(): boolean {
    return this.current?.kind === 'history'
  }

  showDetails(nodeId: string): void {
    this.side = { kind: 'details', nodeId }
  }

  /** Open execution details follow the selection, so clicking through the nodes reads each one. */
  followSelection(nodeIds: string[]): void {
    const only = nodeIds.length === 1 ? nodeIds[0]! : null
    if (only && this.current?.kind === 'details' && this.current.nodeId !== only) this.showDetails(only)
  }

  async toggleHistory(): Promise<void> {
    if (this.historyOpen) {
      this.side = null
      return
    }
    this.side = { kind: 'history' }
    await this.loadRuns()
  }

  /** Reload the history when it is open (a run finished). */
  refresh(): void {
    if (this.historyOpen) void this.loadRuns()
  }

  hostUpdated(): void {
    const side = this.current
    const before = this.shown
    if (side === before) return
    this.shown = side
    if (!side) return
    if (side.kind === 'history' && before?.kind === 'history') return
    if (side.kind === 'details' && before?.kind === 'details' && before.nodeId === side.nodeId) return
    // The panel narrows the canvas: keep the flow, and the node it describes (or the one selected)
    // in sight beside it.
    const selected = this.editor.selected()
    const nodeId = side.kind === 'details' ? side.nodeId : selected.length === 1 ? selected[0]! : null
    void this.editor.canvas()?.keepInView(nodeId)
  }

  render() {
    const side = this.current
    const { runner } = this.editor
    if (!side) return nothing
    if (side.kind === 'history')
      return html`<div class="side"><qflow-run-history
        .runs=${this.runs}
        .loading=${this.runsLoading}
        .currentRunId=${runner.run?.id ?? ''}
        .nodeLabel=${(id: string) => this.editor.labelOf(id)}
        @run-open=${(e: CustomEvent<{ runId: string }>) => this.openRun(e.detail.runId)}
        @panel-close=${() => (this.side = null)}
      ></qflow-run-history></div>`
    return html`<div class="side"><qflow-run-inspector
      .client=${this.editor.client()}
      .runId=${runner.run?.id ?? ''}
      .nodeId=${side.nodeId}
      .nodeLabel=${this.editor.labelOf(side.nodeId)}
      .step=${runner.step(side.nodeId)}
      .outputs=${this.editor.typeOf(side.nodeId)?.outputs ?? []}
      @panel-close=${() => (this.side = null)}
    ></qflow-run-inspector></div>`
  }

  private async openRun(runId: string): Promise<void> {
    try {
      await this.editor.runner.open(runId)
    } catch (err) {
      this.editor.fail(err)
    }
  }

  private async loadRuns(): Promise<void> {
    const id = this.editor.flowId()
    if (!id) return
    this.runsLoading = true
    this.host.requestUpdate()
    try {
      this.runs = (await this.editor.client().listRuns(id, { limit: 50 })).items
    } catch (err) {
      this.editor.fail(err)
    } finally {
      this.runsLoading = false
      this.host.requestUpdate()
    }
  }
}
