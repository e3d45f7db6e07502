import { html, nothing } from 'lit'
import type { Flow } from '../../../core/flow/schema.ts'
import type { NodeTypeDescription } from '../../../core/plugin/registry.ts'
import type { RunRecord } from '../api/client.ts'
import type { NodeRunState } from '../canvas/graph-types.ts'
import { codeSpans } from '../code-spans.ts'
import type { RunController } from './run-controller.ts'

/**
 * The editor's bottom bar, rendered from a plain view of the editor's state: the shown run's status,
 * a dropped run stream, the last message, node types this server lacks and the flow's own problems.
 * Rendered into the editor's own shadow root, so `part` and the `data-*` hooks stay where hosts and
 * tests find them.
 */
export interface StatusbarView {
  runner: Pick<RunController, 'run' | 'statuses' | 'reconnecting'>
  message: { text: string; error?: boolean } | null
  flow: Flow | null
  nodeTypes: NodeTypeDescription[]
  /** The flow's problems that belong to no node. */
  general: string[]
  labelOf(nodeId: string): string
}

export function renderStatusbar(v: StatusbarView) {
  const { runner, message } = v
  const { run } = runner
  return html`<div class="statusbar" part="statusbar" role="status" aria-live="polite">
      ${run ? html`<span>Last run <span class="badge ${run.status}" data-run-status=${run.status}>${run.status}</span>${runIsPartial(run, runner.statuses) ? html` <span class="badge partial" data-run-partial title="A node ended partial: some of its work failed (e.g. one region)">(partial)</span>` : nothing}${run.until ? ` till ${v.labelOf(run.until)}` : ''}</span>` : nothing}
      ${runner.reconnecting ? html`<span class="reconnecting" data-connection="lost">Connection lost, reconnecting…</span>` : nothing}
      ${message ? html`<span class=${message.error ? 'error' : ''} data-message>${codeSpans(message.text)}</span>` : nothing}
      ${missingTypes(v.flow, v.nodeTypes).map((m) => html`<span class="error" data-missing-type=${m}>${m}</span>`)}
      ${v.general.map((p) => html`<span class="error">${codeSpans(p)}</span>`)}
    </div>`
}

/** A node of the shown run ended `partial`: said next to its status, which stays `succeeded`. */
function runIsPartial(run: RunRecord, statuses: Record<string, NodeRunState>): boolean {
  return Boolean(run.partial) || Object.values(statuses).some((s) => s.status === 'partial')
}

/** One line per node type the flow uses that this server does not have, naming plugin and nodes. */
function missingTypes(flow: Flow | null, nodeTypes: NodeTypeDescription[]): string[] {
  if (!flow || !nodeTypes.length) return []
  const known = new Set(nodeTypes.map((t) => t.type))
  const byType = new Map<string, { plugin?: string; nodes: string[] }>()
  for (const node of flow.nodes) {
    if (known.has(node.type)) continue
    const entry = byType.get(node.type) ?? { plugin: node.plugin?.name, nodes: [] }
    entry.nodes.push(`"${node.label || node.id}"`)
    byType.set(node.type, entry)
  }
  return [...byType].map(
    ([type, { plugin, nodes }]) =>
      `Node type "${type}" is not installed${plugin ? ` (install plugin "${plugin}")` : ''}: ${nodes.join(', ')} cannot run`
  )
}
