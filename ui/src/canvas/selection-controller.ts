import { getEventPosition, getNodesInside } from '@xyflow/system'
import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { CanvasStore } from './canvas-store.ts'
import type { PanZoomController } from './xy/panzoom-controller.ts'

export interface SelectionRect {
  x: number
  y: number
  width: number
  height: number
}

/**
 * Shift + drag on the pane draws a rubber band that selects the nodes it touches. Pointer capture
 * keeps the gesture even when the pointer leaves the canvas. Panning is blocked meanwhile through
 * XYPanZoom's `userSelectionActive`.
 */
export class SelectionController implements ReactiveController {
  rect: SelectionRect | null = null
  private start: { x: number; y: number } | null = null

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly store: CanvasStore,
    private readonly panZoom: PanZoomController
  ) {
    host.addController(this)
  }

  /** Pointer-down on the pane, in the capture phase so it runs before d3-zoom's mousedown. */
  onPointerDown = (event: PointerEvent): void => {
    if (!event.shiftKey || event.button !== 0 || !this.store.domNode) return
    const pos = getEventPosition(event, this.store.domNode.getBoundingClientRect())
    this.start = pos
    this.rect = { x: pos.x, y: pos.y, width: 0, height: 0 }
    this.panZoom.selecting = true
    this.panZoom.sync()
    ;(event.currentTarget as Element).setPointerCapture(event.pointerId)
    event.stopPropagation()
    this.host.requestUpdate()
  }

  onPointerMove = (event: PointerEvent): void => {
    if (!this.start || !this.store.domNode) return
    const pos = getEventPosition(event, this.store.domNode.getBoundingClientRect())
    this.rect = {
      x: Math.min(pos.x, this.start.x),
      y: Math.min(pos.y, this.start.y),
      width: Math.abs(pos.x - this.start.x),
      height: Math.abs(pos.y - this.start.y),
    }
    const inside = getNodesInside(this.store.nodeLookup, this.rect, this.store.transform, true)
    this.store.select(inside.map((n) => n.id))
  }

  onPointerUp = (event: PointerEvent): void => {
    if (!this.start) return
    ;(event.currentTarget as Element).releasePointerCapture(event.pointerId)
    this.start = null
    this.rect = null
    this.panZoom.selecting = false
    this.panZoom.sync()
    this.host.requestUpdate()
  }

  hostConnected(): void {}
}
