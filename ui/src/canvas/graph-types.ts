import type { EdgeBase, NodeBase } from '@xyflow/system'
import type { FlowEdge, FlowNode } from '../../../core/flow/schema.ts'
import type { NodeTypeDescription } from '../../../core/plugin/registry.ts'
import type { StepStatus } from '../../../core/run/events.ts'

/** What a node shows about the current (or opened) run. */
export interface NodeRunState {
  status: StepStatus
  itemsIn?: number
  itemsOut?: number
  error?: string
}

export interface CanvasNodeData extends Record<string, unknown> {
  /** The flow node this canvas node stands for (position lives on the canvas node). */
  flowNode: FlowNode
  manifest: NodeTypeDescription | undefined
}

export type CanvasNode = NodeBase<CanvasNodeData>
export type CanvasEdge = EdgeBase & { data: { flowEdge: FlowEdge } }

/** The part of a flow the canvas edits. */
export interface Graph {
  nodes: FlowNode[]
  edges: FlowEdge[]
}
