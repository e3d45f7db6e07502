import type { EdgeBase, NodeBase } from '@xyflow/system'
import type { FlowEdge, FlowNode } from '../../../core/flow/schema.ts'
import type { NodeTypeDescription } from '../../../core/plugin/registry.ts'
import type { StepStatus } from '../../../core/run/events.ts'
import type { PortRef } from './geometry.ts'

/** What a node shows about the current (or opened) run. */
export interface NodeRunState {
  status: StepStatus
  itemsIn?: number
  itemsOut?: number
  /** Items by output port, for nodes with several outputs (see core/run/port-counts.ts). */
  outputCounts?: Record<string, number>
  error?: string
}

export interface CanvasNodeData extends Record<string, unknown> {
  /** The flow node this canvas node stands for (position lives on the canvas node). */
  flowNode: FlowNode
  manifest: NodeTypeDescription | undefined
  /**
   * The ports the card draws: its type's, or for a type not installed here the ports its edges use
   * (`in` / `out` when it has none), so the flow's edges still reach it.
   */
  ports: { inputs: PortRef[]; outputs: PortRef[] }
}

export type CanvasNode = NodeBase<CanvasNodeData>
export type CanvasEdge = EdgeBase & { data: { flowEdge: FlowEdge } }

/** The part of a flow the canvas edits. */
export interface Graph {
  nodes: FlowNode[]
  edges: FlowEdge[]
}
