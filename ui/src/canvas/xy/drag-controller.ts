import { XYDrag, type XYDragInstance } from '@xyflow/system'
import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { CanvasStore } from '../canvas-store.ts'
import { NO_DRAG } from '../dom-contract.ts'

/**
 * One XYDrag per node element, keyed by node id. Instances are destroyed when their element goes
 * away, so no d3 listener outlives its node.
 */
export class NodeDragController implements ReactiveController {
  private readonly drags = new Map<string, { el: Element; drag: XYDragInstance }>()

  constructor(
    host: ReactiveControllerHost,
    private readonly store: CanvasStore,
    private readonly root: () => ParentNode | null
  ) {
    host.addController(this)
  }

  hostUpdated(): void {
    const root = this.root()
    if (!root) return
    const seen = new Set<string>()
    if (!this.store.readonly) {
      for (const el of root.querySelectorAll<HTMLElement>('[data-node-id]')) {
        const id = el.dataset.nodeId!
        seen.add(id)
        const existing = this.drags.get(id)
        if (existing?.el === el) continue
        existing?.drag.destroy()
        const drag = XYDrag({ getStoreItems: this.store.dragStoreItems })
        drag.update({
          domNode: el,
          nodeId: id,
          isSelectable: true,
          noDragClassName: NO_DRAG,
          nodeClickDistance: 2,
        })
        this.drags.set(id, { el, drag })
      }
    }
    for (const [id, entry] of this.drags) {
      if (seen.has(id)) continue
      entry.drag.destroy()
      this.drags.delete(id)
    }
  }

  hostDisconnected(): void {
    for (const entry of this.drags.values()) entry.drag.destroy()
    this.drags.clear()
  }
}
