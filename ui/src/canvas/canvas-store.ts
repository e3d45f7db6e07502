import {
  adoptUserNodes,
  type ConnectionLookup,
  type ConnectionState,
  type CoordinateExtent,
  type EdgeLookup,
  type InternalNodeBase,
  infiniteExtent,
  initialConnection,
  type NodeLookup,
  type NodeOrigin,
  type PanZoomInstance,
  type ParentLookup,
  panBy,
  type Transform,
  type UpdateNodePositions,
  updateConnectionLookup,
  type XYPosition,
} from '@xyflow/system'
import type { FlowEdge, FlowNode } from '../../../core/flow/schema.ts'
import type { NodeTypeDescription } from '../../../core/plugin/registry.ts'
import { CARD_HEIGHT, CARD_WIDTH, type PortRef, staticHandles } from './geometry.ts'
import type { CanvasEdge, CanvasNode, Graph } from './graph-types.ts'

const ORIGIN: NodeOrigin = [0, 0]
const EXTENT: CoordinateExtent = infiniteExtent

/**
 * Framework-free canvas state: user nodes and edges (immutable arrays, the reactive surface), the
 * lookups @xyflow/system maintains, the viewport and the connection in progress. Lit only hears
 * `notify()`; the engines read live state through closures.
 */
export class CanvasStore {
  nodes: CanvasNode[] = []
  edges: CanvasEdge[] = []
  readonly nodeLookup: NodeLookup<InternalNodeBase<CanvasNode>> = new Map()
  readonly parentLookup: ParentLookup<InternalNodeBase<CanvasNode>> = new Map()
  readonly edgeLookup: EdgeLookup<CanvasEdge> = new Map()
  readonly connectionLookup: ConnectionLookup = new Map()
  transform: Transform = [0, 0, 1]
  connection: ConnectionState<InternalNodeBase<CanvasNode>> = initialConnection
  panZoom: PanZoomInstance | null = null
  domNode: HTMLDivElement | null = null
  width = 0
  height = 0
  multiSelectionActive = false
  readonly = false
  manifests = new Map<string, NodeTypeDescription>()
  /** Set while a drag moves nodes; the move is reported once, when it ends. */
  dragging = false

  constructor(
    private readonly notify: () => void,
    /** Called when the user changed the graph (not for selection or viewport changes). */
    private readonly onGraphChange: (graph: Graph, reason: string) => void
  ) {}

  // ---- loading ----

  /** Replace the graph from a flow, keeping the selection of nodes and edges that still exist. */
  load(graph: Graph): void {
    const selectedNodes = new Set(this.nodes.filter((n) => n.selected).map((n) => n.id))
    const previous = new Map(this.nodes.map((n) => [n.id, n]))
    this.setNodes(
      graph.nodes.map((flowNode) => {
        const old = previous.get(flowNode.id)
        const manifest = this.manifests.get(flowNode.type)
        // Keep the same object when nothing changed so adoption and rendering can skip it (a node
        // whose type is missing takes its ports from the edges, which may have changed). A drag
        // moves the canvas node without touching its flow node, so an undo brings back the very
        // flow node the card was built from: only the position tells the card must move back.
        if (
          old &&
          manifest &&
          old.data.flowNode === flowNode &&
          old.data.manifest === manifest &&
          old.position.x === flowNode.position.x &&
          old.position.y === flowNode.position.y
        )
          return old
        return this.toCanvasNode(flowNode, selectedNodes.has(flowNode.id), graph.edges)
      })
    )
    const selectedEdges = new Set(this.edges.filter((e) => e.selected).map((e) => e.id))
    this.setEdges(graph.edges.map((e) => toCanvasEdge(e, selectedEdges.has(e.id))))
  }

  toCanvasNode(flowNode: FlowNode, selected = false, edges: readonly FlowEdge[] = []): CanvasNode {
    const manifest = this.manifests.get(flowNode.type)
    const ports = manifest
      ? { inputs: manifest.inputs, outputs: manifest.outputs }
      : portsFromEdges(flowNode.id, edges)
    return {
      id: flowNode.id,
      type: flowNode.type,
      position: { ...flowNode.position },
      data: { flowNode, manifest, ports },
      width: CARD_WIDTH,
      height: CARD_HEIGHT,
      measured: { width: CARD_WIDTH, height: CARD_HEIGHT },
      selected,
      handles: staticHandles(flowNode.id, ports.inputs, ports.outputs),
    }
  }

  /** The graph as flow nodes and edges, positions written back. */
  graph(): Graph {
    return {
      nodes: this.nodes.map((n) => {
        const f = n.data.flowNode
        return f.position.x === n.position.x && f.position.y === n.position.y
          ? f
          : { ...f, position: { x: Math.round(n.position.x), y: Math.round(n.position.y) } }
      }),
      edges: this.edges.map((e) => e.data.flowEdge),
    }
  }

  setNodes(next: CanvasNode[]): void {
    this.nodes = next
    adoptUserNodes(next, this.nodeLookup, this.parentLookup, {
      nodeOrigin: ORIGIN,
      nodeExtent: EXTENT,
      elevateNodesOnSelect: true,
      checkEquality: true,
    })
    this.notify()
  }

  setEdges(next: CanvasEdge[]): void {
    this.edges = next
    updateConnectionLookup(this.connectionLookup, this.edgeLookup, next)
    this.notify()
  }

  // ---- edits that change the flow ----

  commit(reason: string): void {
    this.onGraphChange(this.graph(), reason)
  }

  addEdge(edge: FlowEdge): void {
    this.setEdges([...this.edges, toCanvasEdge(edge, false)])
    this.commit('connect')
  }

  deleteSelection(): boolean {
    if (this.readonly) return false
    const doomed = new Set(
      this.nodes.filter((n) => n.selected && n.data.manifest?.category !== 'trigger').map((n) => n.id)
    )
    const edges = this.edges.filter((e) => !e.selected && !doomed.has(e.source) && !doomed.has(e.target))
    if (!doomed.size && edges.length === this.edges.length) return false
    this.setNodes(this.nodes.filter((n) => !doomed.has(n.id)))
    this.setEdges(edges)
    this.commit('delete')
    return true
  }

  nudgeSelection(dx: number, dy: number): void {
    if (this.readonly || !this.nodes.some((n) => n.selected)) return
    this.setNodes(
      this.nodes.map((n) =>
        n.selected ? { ...n, position: { x: n.position.x + dx, y: n.position.y + dy } } : n
      )
    )
    this.commit('move')
  }

  // ---- selection (not part of the flow document) ----

  select(nodeIds: Iterable<string>, edgeIds: Iterable<string> = [], additive = false): void {
    const nodes = new Set(nodeIds)
    const edges = new Set(edgeIds)
    this.setNodes(
      this.nodes.map((n) => {
        const selected = nodes.has(n.id) || (additive && !!n.selected)
        return selected === !!n.selected ? n : { ...n, selected }
      })
    )
    this.setEdges(
      this.edges.map((e) => {
        const selected = edges.has(e.id) || (additive && !!e.selected)
        return selected === !!e.selected ? e : { ...e, selected }
      })
    )
  }

  toggleNode(id: string): void {
    this.setNodes(this.nodes.map((n) => (n.id === id ? { ...n, selected: !n.selected } : n)))
  }

  unselectAll = (): void => this.select([], [])

  selectedNodeIds(): string[] {
    return this.nodes.filter((n) => n.selected).map((n) => n.id)
  }

  // ---- what the xyflow engines call ----

  updateNodePositions: UpdateNodePositions<InternalNodeBase<CanvasNode>> = (items, dragging = false) => {
    this.setNodes(
      this.nodes.map((n) => {
        const item = items.get(n.id)
        return item?.position ? { ...n, position: item.position, dragging } : n
      })
    )
    if (!dragging && this.dragging) {
      this.dragging = false
      this.commit('move')
    } else if (dragging) this.dragging = true
  }

  panBy = (delta: XYPosition): Promise<boolean> =>
    panBy({
      delta,
      panZoom: this.panZoom,
      transform: this.transform,
      translateExtent: EXTENT,
      width: this.width,
      height: this.height,
    })

  dragStoreItems = () => ({
    nodes: this.nodes,
    edges: this.edges,
    nodeLookup: this.nodeLookup,
    nodeExtent: EXTENT,
    snapGrid: [16, 16] as [number, number],
    snapToGrid: false,
    nodeOrigin: ORIGIN,
    multiSelectionActive: this.multiSelectionActive,
    domNode: this.domNode,
    transform: this.transform,
    autoPanOnNodeDrag: true,
    nodesDraggable: !this.readonly,
    // Selection on pointer-down is ours (see flow-canvas), so XYDrag only moves what is selected.
    selectNodesOnDrag: false,
    nodeDragThreshold: 1,
    panBy: this.panBy,
    unselectNodesAndEdges: this.unselectAll,
    updateNodePositions: this.updateNodePositions,
  })
}

export function toCanvasEdge(flowEdge: FlowEdge, selected: boolean): CanvasEdge {
  return {
    id: flowEdge.id,
    source: flowEdge.source,
    target: flowEdge.target,
    sourceHandle: flowEdge.sourcePort,
    targetHandle: flowEdge.targetPort,
    selected,
    data: { flowEdge },
  }
}

/** For a node whose type is not installed: the ports its edges name, else one `in` and one `out`. */
export function portsFromEdges(
  nodeId: string,
  edges: readonly FlowEdge[]
): { inputs: PortRef[]; outputs: PortRef[] } {
  const named = (names: string[], fallback: string) =>
    (names.length ? [...new Set(names)] : [fallback]).map((name) => ({ name }))
  return {
    inputs: named(
      edges.filter((e) => e.target === nodeId).map((e) => e.targetPort),
      'in'
    ),
    outputs: named(
      edges.filter((e) => e.source === nodeId).map((e) => e.sourcePort),
      'out'
    ),
  }
}
