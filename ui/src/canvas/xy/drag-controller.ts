import { XYDrag, type XYDragInstance } from '@xyflow/system'
import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { CanvasStore } from '../canvas-store.ts'
import { NO_DRAG } from '../dom-contract.ts'

/**
 * One XYDrag per node element, created when the pointer first reaches the node (d3-drag's
 * mousedown listener is in place before the press lands), so a 500-node flow does not pay for 500
 * drag behaviours up front. Instances whose element went away are destroyed after each update.
 */
export class NodeDragController implements ReactiveController {
  private readonly drags = new Map<string, { el: Element; drag: XYDragInstance }>()

  constructor(
    host: ReactiveControllerHost,
    private readonly store: CanvasStore
  ) {
    host.addController(this)
  }

  /** Make sure the node element under the pointer can be dragged (pointerover / pointerdown). */
  ensure = (event: Event): void => {
    if (this.store.readonly) return
    const el = (event.target as Element | null)?.closest?.('[data-node-id]') as HTMLElement | null
    const id = el?.dataset.nodeId
    if (!el || !id) return
    const existing = this.drags.get(id)
    if (existing?.el === el) return
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

  hostUpdated(): void {
    for (const [id, entry] of this.drags) {
      if (this.store.nodeLookup.has(id) && entry.el.isConnected && !this.store.readonly) continue
      entry.drag.destroy()
      this.drags.delete(id)
    }
  }

  hostDisconnected(): void {
    for (const entry of this.drags.values()) entry.drag.destroy()
    this.drags.clear()
  }
}
