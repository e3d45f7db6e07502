import {
  type PanZoomInstance,
  type Rect,
  type Transform,
  XYMinimap,
  type XYMinimapInstance,
} from '@xyflow/system'
import { css, LitElement, nothing, type PropertyValues, svg } from 'lit'
import { customElement, property, query } from 'lit/decorators.js'
import { CARD_HEIGHT, CARD_WIDTH } from './geometry.ts'
import type { CanvasNode, NodeRunState } from './graph-types.ts'
import { maskPath, minimapFrame, rectsPath, unionRect, visibleRect } from './minimap-geometry.ts'

/** The map's size, normal and on a narrow canvas: small enough to leave the nodes beneath it room. */
const MAP_SIZES = { normal: { width: 168, height: 112 }, small: { width: 120, height: 80 } }
/** Run states the map colours; a node in any other state (or none) is drawn plain. */
const SHOWN_STATES = ['running', 'succeeded', 'partial', 'failed'] as const
type Layer = (typeof SHOWN_STATES)[number] | 'plain' | 'selected'

/**
 * An overview of the whole flow in a corner of the canvas: every node as a small block coloured by
 * its run state, and a frame for the part the canvas shows. Dragging in the map pans the canvas,
 * the wheel zooms it, a click centres the canvas there. @xyflow/system's XYMinimap handles the
 * gestures; drawing is ours: one path per colour, so a 500-node flow is a handful of elements.
 *
 * @csspart minimap - the map's box
 */
@customElement('qflow-minimap')
export class QflowMinimap extends LitElement {
  static override styles = css`
    :host {
      position: absolute;
      right: 10px;
      bottom: 10px;
      width: ${MAP_SIZES.normal.width}px;
      height: ${MAP_SIZES.normal.height}px;
      /* See-through until used, so a node or port beneath it still shows. */
      opacity: 0.78;
      transition: opacity 0.15s;
    }
    :host(:hover),
    :host(:active) {
      opacity: 1;
    }
    :host([small]) {
      width: ${MAP_SIZES.small.width}px;
      height: ${MAP_SIZES.small.height}px;
    }
    svg {
      display: block;
      width: 100%;
      height: 100%;
      background: var(--_surface);
      border: 1px solid var(--_border);
      border-radius: 6px;
      box-shadow: var(--_shadow);
      cursor: grab;
    }
    svg:active {
      cursor: grabbing;
    }
    .plain {
      fill: color-mix(in srgb, var(--_muted) 45%, transparent);
    }
    .running {
      fill: var(--_running);
    }
    .succeeded {
      fill: var(--_success);
    }
    .partial {
      fill: var(--_warning);
    }
    .failed {
      fill: var(--_danger);
    }
    .selected {
      fill: none;
      stroke: var(--_accent);
      vector-effect: non-scaling-stroke;
      stroke-width: 2;
    }
    .mask {
      fill: color-mix(in srgb, var(--_text) 8%, transparent);
      fill-rule: evenodd;
    }
    .view {
      fill: none;
      stroke: var(--_accent);
      vector-effect: non-scaling-stroke;
      stroke-width: 1.5;
    }
  `

  @property({ attribute: false }) nodes: CanvasNode[] = []
  @property({ attribute: false }) statuses: Record<string, NodeRunState> = {}
  /** The canvas's transform and size, for the frame of what it shows. */
  @property({ attribute: false }) transform: Transform = [0, 0, 1]
  @property({ attribute: false }) viewWidth = 0
  @property({ attribute: false }) viewHeight = 0
  /** The smaller size, for a narrow canvas. */
  @property({ type: Boolean, reflect: true }) small = false
  /** The canvas's pan/zoom engine, which the map's gestures drive. */
  @property({ attribute: false }) panZoom: PanZoomInstance | null = null

  @query('svg') private svgElement!: SVGSVGElement | null
  private gestures: XYMinimapInstance | null = null
  private gesturesFor: PanZoomInstance | null = null
  private layers: [Layer, string][] = []
  private nodeBounds: Rect | null = null
  private scale = 1

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('nodes') || changed.has('statuses')) this.layOutNodes()
  }

  override render() {
    if (!this.nodeBounds || !this.viewWidth) return nothing
    const visible = visibleRect(this.transform, this.viewWidth, this.viewHeight)
    const size = this.small ? MAP_SIZES.small : MAP_SIZES.normal
    const { box, scale } = minimapFrame(unionRect(this.nodeBounds, visible), size.width, size.height)
    this.scale = scale
    return svg`<svg
      part="minimap"
      role="img"
      aria-label="Flow overview: drag to pan, scroll to zoom, click to centre"
      viewBox="${box.x} ${box.y} ${box.width} ${box.height}"
      @click=${this.centreOn}
    >
      ${this.layers.map(([layer, d]) => svg`<path class=${layer} d=${d}></path>`)}
      <path class="mask" d=${maskPath(box, visible)}></path>
      <path class="view" d=${rectsPath([visible])}></path>
    </svg>`
  }

  protected override updated(): void {
    const element = this.svgElement
    if (!element || !this.panZoom) return
    // The engine binds d3-zoom to the element; a new pan/zoom engine or a new <svg> needs a new one.
    if (!this.gestures || this.gesturesFor !== this.panZoom || !element.isConnected) {
      this.gestures?.destroy()
      this.gestures = XYMinimap({
        domNode: element,
        panZoom: this.panZoom,
        getTransform: () => this.transform,
        getViewScale: () => this.scale,
      })
      this.gesturesFor = this.panZoom
    }
    this.gestures.update({
      translateExtent: [
        [-Infinity, -Infinity],
        [Infinity, Infinity],
      ],
      width: this.viewWidth,
      height: this.viewHeight,
      pannable: true,
      zoomable: true,
      zoomStep: 10,
    })
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.gestures?.destroy()
    this.gestures = null
  }

  /** One path per colour; the bounds of all nodes for the frame. */
  private layOutNodes(): void {
    const byLayer = new Map<Layer, Rect[]>()
    let bounds: Rect | null = null
    for (const node of this.nodes) {
      const rect = { x: node.position.x, y: node.position.y, width: CARD_WIDTH, height: CARD_HEIGHT }
      bounds = bounds ? unionRect(bounds, rect) : rect
      const status = this.statuses[node.id]?.status
      const layer: Layer = SHOWN_STATES.find((s) => s === status) ?? 'plain'
      for (const l of node.selected ? [layer, 'selected' as const] : [layer]) {
        const list = byLayer.get(l) ?? []
        list.push(rect)
        byLayer.set(l, list)
      }
    }
    this.nodeBounds = bounds
    this.layers = [...byLayer].map(([layer, rects]) => [layer, rectsPath(rects)])
    // Selection outlines go on top of the fills.
    this.layers.sort(([a], [b]) => Number(a === 'selected') - Number(b === 'selected'))
  }

  /** A click (not the end of a drag: d3-zoom swallows those) centres the canvas on that point. */
  private centreOn = (event: MouseEvent): void => {
    if (!this.gestures || !this.panZoom) return
    const [x, y] = this.gestures.pointer(event, this.svgElement)
    const zoom = this.transform[2]
    void this.panZoom.setViewport(
      { x: this.viewWidth / 2 - x * zoom, y: this.viewHeight / 2 - y * zoom, zoom },
      { duration: 200 }
    )
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'qflow-minimap': QflowMinimap
  }
}
