import type { Flow } from '../../core/flow/schema.ts'
import type { RunStatus } from '../../core/run/events.ts'
import type { Graph } from './canvas/graph-types.ts'

export type NodeAction = 'edit' | 'run-until' | 'details' | 'add-after' | 'duplicate' | 'delete'

/** Every event the elements dispatch, by name. All bubble and are composed, so they leave shadow roots. */
export interface QflowEventMap {
  /** Canvas: the user changed nodes or edges (reason: move, connect, delete, ...). */
  'qflow-graph-change': { graph: Graph; reason: string }
  /** Canvas and editor: the selected nodes changed. */
  'qflow-node-select': { nodeIds: string[]; edgeIds: string[] }
  /** Canvas: a node menu or shortcut asked for something. */
  'qflow-node-action': { nodeId: string; action: NodeAction }
  /** Canvas: a connection was refused, with the reason shown to the user. */
  'qflow-connect-refused': { reason: string }
  /** Editor: the flow document changed (not yet saved). */
  'qflow-change': { flow: Flow; dirty: boolean }
  /** Editor: the flow was saved; `version` is the stored version. */
  'qflow-save': { flow: Flow; version: number }
  /** Editor: a run started. */
  'qflow-run-start': { runId: string; flowId: string; until?: string }
  /** Editor: a run finished. */
  'qflow-run-finish': { runId: string; flowId: string; status: RunStatus }
  /** Editor: a request failed; the editor also shows it. `code` is the server's error code. */
  'qflow-error': { message: string; status?: number; code?: string }
  /** Editor: after a save refused the key (401), the user entered another the server accepts. */
  'qflow-key-change': { key: string }
  /** Editor: a flow was loaded. */
  'qflow-load': { flow: Flow; version: number }
}

export type QflowEvent<K extends keyof QflowEventMap> = CustomEvent<QflowEventMap[K]>

export function emit<K extends keyof QflowEventMap>(
  from: EventTarget,
  name: K,
  detail: QflowEventMap[K]
): boolean {
  return from.dispatchEvent(
    new CustomEvent(name, { detail, bubbles: true, composed: true, cancelable: true })
  )
}

declare global {
  interface HTMLElementEventMap {
    'qflow-graph-change': QflowEvent<'qflow-graph-change'>
    'qflow-node-select': QflowEvent<'qflow-node-select'>
    'qflow-node-action': QflowEvent<'qflow-node-action'>
    'qflow-connect-refused': QflowEvent<'qflow-connect-refused'>
    'qflow-change': QflowEvent<'qflow-change'>
    'qflow-save': QflowEvent<'qflow-save'>
    'qflow-run-start': QflowEvent<'qflow-run-start'>
    'qflow-run-finish': QflowEvent<'qflow-run-finish'>
    'qflow-error': QflowEvent<'qflow-error'>
    'qflow-load': QflowEvent<'qflow-load'>
  }
}
