import { ConnectionMode, type EdgePosition, getBezierPath, getEdgePosition } from '@xyflow/system'
import type { CanvasStore } from './canvas-store.ts'
import { clearOfLabelsPath } from './edge-route.ts'
import { CARD_HEIGHT } from './geometry.ts'
import type { CanvasEdge, CanvasNode } from './graph-types.ts'
import { portLabelReach } from './port-labels.ts'

export interface EdgeLayout {
  edge: CanvasEdge
  path: string
  labelX: number
  labelY: number
}

/**
 * Edge paths, memoised by reference: an edge whose object and both end nodes are unchanged keeps its
 * previous path, so dragging one node in a large flow only recomputes the edges touching it.
 */
export class EdgeLayoutCache {
  private cache = new Map<
    string,
    { edge: CanvasEdge; source: unknown; target: unknown; layout: EdgeLayout }
  >()

  layout(store: CanvasStore): EdgeLayout[] {
    const next = new Map<string, { edge: CanvasEdge; source: unknown; target: unknown; layout: EdgeLayout }>()
    const out: EdgeLayout[] = []
    for (const edge of store.edges) {
      const sourceNode = store.nodeLookup.get(edge.source)
      const targetNode = store.nodeLookup.get(edge.target)
      if (!sourceNode || !targetNode) continue
      const prev = this.cache.get(edge.id)
      if (prev && prev.edge === edge && prev.source === sourceNode && prev.target === targetNode) {
        next.set(edge.id, prev)
        out.push(prev.layout)
        continue
      }
      const pos: EdgePosition | null = getEdgePosition({
        id: edge.id,
        sourceNode,
        targetNode,
        sourceHandle: edge.sourceHandle ?? null,
        targetHandle: edge.targetHandle ?? null,
        connectionMode: ConnectionMode.Strict,
      })
      if (!pos) continue
      // Edges of a card with port tags run out past the tags first, so none crosses another's name.
      const reach = portLabelReach((sourceNode.internals.userNode as CanvasNode).data.ports.outputs)
      const top = sourceNode.internals.positionAbsolute.y
      const [path, labelX, labelY] = reach
        ? clearOfLabelsPath(pos, pos.sourceX + reach, { top, bottom: top + CARD_HEIGHT })
        : getBezierPath(pos)
      const layout = { edge, path, labelX, labelY }
      next.set(edge.id, { edge, source: sourceNode, target: targetNode, layout })
      out.push(layout)
    }
    this.cache = next
    return out
  }
}
