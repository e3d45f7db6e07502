import {
  getInternalNodesBounds,
  getViewportForBounds,
  PanOnScrollMode,
  type PanZoomInstance,
  XYPanZoom,
} from '@xyflow/system'
import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { CanvasStore } from '../canvas-store.ts'
import { LIB, NO_PAN, NO_WHEEL } from '../dom-contract.ts'
import { withCardReach } from '../geometry.ts'

const MIN_ZOOM = 0.1
const MAX_ZOOM = 2

/** Owns the XYPanZoom engine: built once the pane is laid out, updated when gating state changes. */
export class PanZoomController implements ReactiveController {
  private instance: PanZoomInstance | null = null
  private pane: HTMLDivElement | null = null
  /** True while a rubber-band selection runs, which must block panning. */
  selecting = false

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly store: CanvasStore
  ) {
    host.addController(this)
  }

  attach(pane: HTMLDivElement): void {
    this.pane = pane
    this.instance = XYPanZoom({
      domNode: pane,
      minZoom: MIN_ZOOM,
      maxZoom: MAX_ZOOM,
      translateExtent: [
        [-Infinity, -Infinity],
        [Infinity, Infinity],
      ],
      viewport: { x: 0, y: 0, zoom: 1 },
      onDraggingChange: () => {},
    })
    this.store.panZoom = this.instance
    this.sync()
  }

  /** Push the options the filter depends on; XYPanZoom installs nothing until this runs. */
  sync(): void {
    this.instance?.update({
      noWheelClassName: NO_WHEEL,
      noPanClassName: NO_PAN,
      preventScrolling: true,
      panOnScroll: false,
      panOnDrag: true,
      panOnScrollMode: PanOnScrollMode.Free,
      panOnScrollSpeed: 0.5,
      userSelectionActive: this.selecting,
      zoomOnPinch: true,
      zoomOnScroll: true,
      zoomOnDoubleClick: false,
      zoomActivationKeyPressed: false,
      lib: LIB,
      onTransformChange: (transform) => {
        this.store.transform = transform
        this.host.requestUpdate()
      },
      connectionInProgress: this.store.connection.inProgress,
      paneClickDistance: 2,
    })
  }

  /**
   * Fit at once, before rendering: the transform is set on the store and synced into d3 without an
   * event, so a freshly loaded flow renders once, already at its fitted zoom (and level of detail).
   */
  private fitted: readonly [number, number, number] | null = null

  fitNow(): boolean {
    const store = this.store
    if (!this.instance || !store.nodeLookup.size || !store.width || !store.height) return false
    // Node bounds end at the cards' edges; the last card's "+" button and port labels lie beyond.
    const bounds = withCardReach(getInternalNodesBounds(store.nodeLookup))
    const viewport = getViewportForBounds(bounds, store.width, store.height, MIN_ZOOM, 1.25, 0.15)
    store.transform = [viewport.x, viewport.y, viewport.zoom]
    this.instance.syncViewport(viewport)
    this.fitted = store.transform
    return true
  }

  /** The view as the last fit left it: the user has not panned or zoomed since (nor did reveal). */
  untouchedSinceFit(): boolean {
    const [x, y, k] = this.store.transform
    const f = this.fitted
    return !!f && Math.abs(f[0] - x) < 0.5 && Math.abs(f[1] - y) < 0.5 && Math.abs(f[2] - k) < 1e-3
  }

  zoomBy(factor: number): void {
    void this.instance?.scaleBy(factor, { duration: 120 })
  }

  hostConnected(): void {
    if (this.pane && !this.instance) this.attach(this.pane)
  }

  hostDisconnected(): void {
    this.instance?.destroy()
    this.instance = null
    this.store.panZoom = null
  }
}
