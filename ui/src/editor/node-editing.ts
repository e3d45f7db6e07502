import { html, type ReactiveController, type ReactiveControllerHost } from 'lit'
import type { Flow } from '../../../core/flow/schema.ts'
import type { NodeTypeDescription } from '../../../core/plugin/registry.ts'
import type { QflowClient } from '../api/client.ts'
import type { QflowCanvas } from '../canvas/flow-canvas.ts'
import '../panels/node-dialog.ts'
import { updateNode } from './flow-edits.ts'
import type { FlowSession } from './flow-session.ts'
import { checkNode } from './node-check.ts'
import { keysForNode } from './node-keys.ts'
import type { RunController } from './run-controller.ts'
import { problemsByTopField } from './server-problems.ts'

/** What the node dialog needs from the editor that hosts it. */
export interface NodeEditingHost {
  session: FlowSession
  runner: RunController
  client(): QflowClient
  nodeTypes(): NodeTypeDescription[]
  readonly(): boolean
  canvas(): QflowCanvas | null
  change(next: Flow): void
}

/**
 * The node dialog: which node is open in it, the keys its pickers offer (from a run), the server's
 * check of its edits as typed, and applying them to the flow (at the node type's current version).
 */
export class NodeEditingController implements ReactiveController {
  /** The node whose dialog is open. */
  private editing: string | null = null
  private keys: string[] = []

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly editor: NodeEditingHost
  ) {
    host.addController(this)
  }

  hostConnected(): void {}

  open(nodeId: string): void {
    this.keys = []
    this.editing = nodeId
    this.host.requestUpdate()
    void this.loadKeys(nodeId)
  }

  render() {
    const { session, readonly } = this.editor
    const flow = session.flow
    const editing = this.editing
    const node = editing ? (flow?.nodes.find((n) => n.id === editing) ?? null) : null
    return html`<qflow-node-dialog
        .node=${node}
        .typeInfo=${this.editor.nodeTypes().find((t) => t.type === flow?.nodes.find((n) => n.id === editing)?.type)}
        .flow=${flow}
        .client=${this.editor.client()}
        .keys=${this.keys}
        .serverErrors=${problemsByTopField((editing && session.problems.byNode.get(editing)) || {})}
        .validate=${this.validate}
        ?readonly=${readonly()}
        @node-save=${this.onSave}
        @dialog-close=${() => {
          this.editing = null
          this.host.requestUpdate()
          this.editor.canvas()?.keepFocus()
        }}
      ></qflow-node-dialog>`
  }

  private validate = (
    nodeId: string,
    label: string,
    config: Record<string, unknown>
  ): Promise<Record<string, string>> => {
    const flow = this.editor.session.flow
    return flow ? checkNode(this.editor.client(), flow, nodeId, label, config) : Promise.resolve({})
  }

  private onSave = (
    event: CustomEvent<{ nodeId: string; label: string; config: Record<string, unknown> }>
  ): void => {
    const { session } = this.editor
    const flow = session.flow
    if (!flow) return
    const { nodeId, label, config } = event.detail
    const node = flow.nodes.find((n) => n.id === nodeId)
    const typeVersion =
      this.editor.nodeTypes().find((t) => t.type === node?.type)?.version ?? node?.typeVersion ?? 1
    this.editor.change(updateNode(flow, nodeId, { label, config, typeVersion }))
    session.problems.byNode.delete(nodeId)
  }

  /** Offer the key pickers the keys a run saw around the node (see keysForNode). */
  private async loadKeys(nodeId: string): Promise<void> {
    const flow = this.editor.session.flow
    if (!flow?.id) return
    try {
      const keys = await keysForNode(
        this.editor.client(),
        flow as Flow & { id: string },
        this.editor.runner.run,
        nodeId
      )
      if (keys && this.editing === nodeId) {
        this.keys = keys
        this.host.requestUpdate()
      }
    } catch {
      // Without a run the pickers still take typed keys.
    }
  }
}
