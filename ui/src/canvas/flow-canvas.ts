import { getHandlePosition, Position, pointToRendererPoint } from '@xyflow/system'
import { html, LitElement, nothing, type PropertyValues, svg } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { guard } from 'lit/directives/guard.js'
import { repeat } from 'lit/directives/repeat.js'
import type { NodeTypeDescription } from '../../../core/plugin/registry.ts'
import { outputCountParts } from '../../../core/run/port-counts.ts'
import { emit, type NodeAction } from '../events.ts'
import { fitText, fitWidth, iconUrl } from '../nodes/icons.ts'
import { configSummary, withDefaults } from '../nodes/summary.ts'
import { textEm } from '../nodes/text-width.ts'
import { themeTokens } from '../theme.ts'
import { CanvasStore } from './canvas-store.ts'
import { canvasStyles } from './canvas-styles.ts'
import {
  HANDLE_CLASS,
  handleDataId,
  NO_DRAG,
  NO_PAN,
  NO_WHEEL,
  NODE_CLASS,
  VIEWPORT_CLASS,
} from './dom-contract.ts'
import { type EdgeLayout, EdgeLayoutCache } from './edge-layout.ts'
import { CARD_HEIGHT, CARD_WIDTH, type PortRef, panToShow, portOffsets, withCardReach } from './geometry.ts'
import type { CanvasNode, Graph, NodeRunState } from './graph-types.ts'
import { type KeyBinding, KeyboardController } from './keyboard-controller.ts'
import { portLabelText } from './port-labels.ts'
import { SelectionController } from './selection-controller.ts'
import { ConnectionController } from './xy/connection-controller.ts'
import { NodeDragController } from './xy/drag-controller.ts'
import { PanZoomController } from './xy/panzoom-controller.ts'
import './minimap.ts'

/** The card's text column is ~143 px; a 13 px title gets 10.6 em so it ends before the status dot and menu. */
const TITLE_EM = 10.6
/**
 * The 10.5 px counts line runs on under the menu button, ~175 px; estimates are for bold letters,
 * so a little over 175 / 10.5.
 */
const COUNTS_EM = 17.5

let edgeCounter = 0
/** Nodes and edges render in blocks of this size (see renderNodes). */
const BLOCK = 32
/**
 * Below this zoom, cards render compact (accent, title, status; no ports or buttons): their details
 * are unreadable there anyway, and a large flow fitted into view paints several times faster.
 */
const COMPACT_ZOOM = 0.45
/** Canvas widths (px) below which the overview map is drawn smaller, and not at all. */
const MINIMAP_SMALL_BELOW = 900
const MINIMAP_HIDDEN_BELOW = 640

/**
 * The canvas: draws a flow's nodes and edges and lets the user pan, zoom, drag, connect, select and
 * delete. It does no fetching: the graph, node types and run statuses come in as properties, and
 * every user edit goes out as an event.
 *
 * @fires qflow-graph-change - nodes or edges changed by the user
 * @fires qflow-node-select - the selection changed
 * @fires qflow-node-action - a node's menu item, "+" button or double-click
 * @fires qflow-connect-refused - a connection was refused (reason in detail)
 * @csspart node - each node card wrapper
 * @csspart minimap - the overview map
 */
@customElement('qflow-canvas')
export class QflowCanvas extends LitElement {
  static override styles = [themeTokens, canvasStyles]

  /** The nodes and edges to show. Setting it replaces what the canvas shows. */
  @property({ attribute: false }) graph: Graph = { nodes: [], edges: [] }
  /** Node types, as `GET /api/node-types` returns them. */
  @property({ attribute: false }) nodeTypes: NodeTypeDescription[] = []
  /** Run status per node id, shown on the cards. */
  @property({ attribute: false }) statuses: Record<string, NodeRunState> = {}
  @property({ type: Boolean, reflect: true }) readonly = false
  /** Problems per node id (e.g. the server's validation), one per line: the card shows how many, the text on hover. */
  @property({ attribute: false }) problems: Record<string, string> = {}
  /** Show the overview map in the bottom-right corner. */
  @property({ type: Boolean }) minimap = true

  @state() private menuFor: string | null = null
  @state() private notice: string | null = null

  readonly store = new CanvasStore(
    () => this.requestUpdate(),
    (graph, reason) => {
      this.emittedGraph = graph
      this.graph = graph
      emit(this, 'qflow-graph-change', { graph, reason })
    }
  )
  private emittedGraph: Graph | null = null
  private readonly edgeLayout = new EdgeLayoutCache()
  private readonly panZoom = new PanZoomController(this, this.store)
  private readonly selection = new SelectionController(this, this.store, this.panZoom)
  private readonly connections = new ConnectionController(this, this.store, {
    onRefused: (reason) => this.showNotice(reason),
    onStateChange: () => {
      this.panZoom.sync()
      this.requestUpdate()
    },
    newEdgeId: () => `e${Date.now().toString(36)}${(edgeCounter++).toString(36)}`,
  })
  private readonly drags = new NodeDragController(this, this.store)
  private resizeObserver: ResizeObserver | null = null
  private pendingFit = true
  /** Starts as "nothing selected", so loading a flow announces no selection change. */
  private lastSelectionKey = '|'
  private noticeTimer: ReturnType<typeof setTimeout> | undefined
  private paneDown: { x: number; y: number } | null = null

  constructor() {
    super()
    // Controllers register themselves with the host; nothing else needs a handle on this one.
    new KeyboardController(this, () => this.keyBindings())
  }

  // ---- public API ----

  /** Fit every node into view. */
  async fitView(): Promise<void> {
    // Read the size now: a side panel may have just opened or closed, before any resize callback.
    this.store.width = this.clientWidth
    this.store.height = this.clientHeight
    if (this.panZoom.fitNow()) this.requestUpdate()
    await this.updateComplete
  }

  /**
   * Pan, keeping the zoom, so a node with its ports and "+" button lies inside the canvas; nothing
   * moves when it is visible already. Measured now: a side panel that just opened narrowed the canvas.
   */
  async reveal(nodeId: string): Promise<void> {
    const node = this.store.nodeLookup.get(nodeId)
    if (!node || !this.store.panZoom) return
    this.store.width = this.clientWidth
    this.store.height = this.clientHeight
    const { x, y } = node.internals.positionAbsolute
    const box = withCardReach({ x, y, width: CARD_WIDTH, height: CARD_HEIGHT })
    const current = this.store.transform
    const [nx, ny, zoom] = panToShow(box, current, this.store.width, this.store.height)
    if (nx === current[0] && ny === current[1]) return
    await this.store.panZoom.setViewport({ x: nx, y: ny, zoom }, { duration: 200 })
    await this.updateComplete
  }

  /**
   * Keep the flow in sight after something beside the canvas narrowed it (a side panel opened):
   * a view nobody moved since it was fitted is fitted again to the new size, so the whole flow stays
   * visible (panning alone would push its start off the left edge); then `nodeId`, when given, is
   * panned into view as `reveal` does, for a view the user had moved or a flow too wide to fit.
   */
  async keepInView(nodeId: string | null): Promise<void> {
    this.store.width = this.clientWidth
    this.store.height = this.clientHeight
    if (this.panZoom.untouchedSinceFit() && this.panZoom.fitNow()) this.requestUpdate()
    if (nodeId) await this.reveal(nodeId)
    await this.updateComplete
  }

  zoomIn(): void {
    this.panZoom.zoomBy(1.2)
  }

  zoomOut(): void {
    this.panZoom.zoomBy(1 / 1.2)
  }

  /** The visible centre, in flow coordinates: where a new node without a neighbour goes. */
  viewCenter(): { x: number; y: number } {
    const [x, y, k] = this.store.transform
    return { x: (this.store.width / 2 - x) / k, y: (this.store.height / 2 - y) / k }
  }

  /** Fit the view once the current graph is laid out (after loading a different flow). */
  requestFit(): void {
    this.pendingFit = true
    this.requestUpdate()
  }

  selectNodes(ids: string[]): void {
    this.store.select(ids)
  }

  /**
   * Take keyboard focus back when it fell out of the canvas: deleting the focused node, or closing a
   * dialog opened from a menu that is gone, leaves focus on <body>, where Ctrl+Z no longer reaches
   * the editor. Focus the user moved elsewhere on purpose (another field on the page) is left alone.
   */
  keepFocus(): void {
    void this.updateComplete.then(() => {
      const active = document.activeElement
      if (!active || active === document.body || active === document.documentElement)
        this.focus({ preventScroll: true })
    })
  }

  // ---- lifecycle ----

  override connectedCallback(): void {
    super.connectedCallback()
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0
    this.resizeObserver = new ResizeObserver(() => {
      // A view nobody moved since it was fitted is fitted again to the new size (the host page
      // resized the editor, a side panel opened): the content stays whole and the "+" in reach.
      const refit = this.panZoom.untouchedSinceFit()
      this.store.width = this.clientWidth
      this.store.height = this.clientHeight
      this.requestUpdate()
      if (this.store.width <= 0) return
      if (this.pendingFit) this.runPendingFit()
      else if (refit) this.panZoom.fitNow()
    })
    this.resizeObserver.observe(this)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.resizeObserver?.disconnect()
    clearTimeout(this.noticeTimer)
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('nodeTypes')) {
      this.store.manifests = new Map(this.nodeTypes.map((t) => [t.type, t]))
    }
    if (changed.has('readonly')) this.store.readonly = this.readonly
    const echo =
      this.graph.nodes === this.emittedGraph?.nodes && this.graph.edges === this.emittedGraph?.edges
    if ((changed.has('graph') && !echo) || changed.has('nodeTypes')) {
      // Another graph replaced the one last emitted (an undo): if that one comes back (a redo),
      // it is no echo any more and must be loaded.
      this.emittedGraph = null
      const firstLoad = this.store.nodes.length === 0
      this.store.load(this.graph)
      if (firstLoad) this.pendingFit = true
    }
    if (this.pendingFit && this.panZoom.fitNow()) this.pendingFit = false
  }

  protected override firstUpdated(): void {
    const root = this.renderRoot.querySelector<HTMLDivElement>('.root')!
    this.store.domNode = root
    this.store.width = this.clientWidth
    this.store.height = this.clientHeight
    this.panZoom.attach(this.renderRoot.querySelector<HTMLDivElement>('.pane')!)
    this.runPendingFit()
  }

  protected override updated(): void {
    if (this.pendingFit) this.runPendingFit()
    const selected = this.store.nodes.filter((n) => n.selected).map((n) => n.id)
    const edgeIds = this.store.edges.filter((e) => e.selected).map((e) => e.id)
    const key = selected.join(',') + '|' + edgeIds.join(',')
    if (key !== this.lastSelectionKey) {
      this.lastSelectionKey = key
      emit(this, 'qflow-node-select', { nodeIds: selected, edgeIds })
    }
  }

  private runPendingFit(): void {
    if (!this.store.nodes.length || !this.panZoom.fitNow()) return
    this.pendingFit = false
    this.requestUpdate()
  }

  // ---- rendering ----

  override render() {
    const [x, y, k] = this.store.transform
    const connecting = this.store.connection.inProgress
    return html`
      <div class="root ${connecting ? 'connecting' : ''} ${this.store.dragging ? 'dragging' : ''}">
        <div
          class="pane"
          style="--grid-size:${gridStep(k)}px;--grid-x:${x}px;--grid-y:${y}px"
          @pointerdown=${this.onPanePointerDown}
          @pointermove=${this.selection.onPointerMove}
          @pointerup=${this.onPanePointerUp}
        >
          <div class=${VIEWPORT_CLASS} style="transform: translate(${x}px, ${y}px) scale(${k})" @pointerover=${this.drags.ensure}>
            ${this.renderEdges()}
            ${this.renderNodes()}
            ${connecting ? svg`<svg class="edges connection">${this.renderConnectionLine()}</svg>` : nothing}
          </div>
        </div>
        ${
          // On a narrow canvas the map shrinks, and on a very narrow one it would cover the flow.
          this.minimap && this.store.nodes.length && this.store.width >= MINIMAP_HIDDEN_BELOW
            ? html`<qflow-minimap
                class=${NO_PAN}
                ?small=${this.store.width < MINIMAP_SMALL_BELOW}
                exportparts="minimap"
                .nodes=${this.mapNodes()}
                .statuses=${this.statuses}
                .transform=${this.store.transform}
                .viewWidth=${this.store.width}
                .viewHeight=${this.store.height}
                .panZoom=${this.store.panZoom}
              ></qflow-minimap>`
            : nothing
        }
        ${this.renderConnectionRefusal()}
        ${
          this.selection.rect
            ? html`<div
                class="selection-rect"
                style="left:${this.selection.rect.x}px;top:${this.selection.rect.y}px;width:${this.selection.rect.width}px;height:${this.selection.rect.height}px"
              ></div>`
            : nothing
        }
        ${this.notice ? html`<div class="notice" role="alert" part="notice">${this.notice}</div>` : nothing}
      </div>
    `
  }

  /**
   * Edges touching a node being dragged go into a second <svg>: changing a path makes the browser
   * lay out its whole <svg> again, so the hundreds of edges that do not move stay in one that does
   * not change. Re-rendering is skipped for edges whose layout (memoised by reference) is unchanged.
   */
  private renderEdges() {
    const layouts = this.edgeLayout.layout(this.store)
    const moving = new Set(
      this.store.dragging ? this.store.nodes.filter((n) => n.dragging).map((n) => n.id) : []
    )
    const still: EdgeLayout[] = []
    const active: EdgeLayout[] = []
    for (const l of layouts) (moving.has(l.edge.source) || moving.has(l.edge.target) ? active : still).push(l)
    const resting = this.compact() ? this.renderEdgeOutline(still) : this.renderEdgeList(still)
    return svg`<svg class="edges">${resting}</svg>${active.length ? svg`<svg class="edges">${this.renderEdgeList(active)}</svg>` : nothing}`
  }

  /**
   * Far out, edges are drawn as two paths (run through, and the rest) instead of one element each:
   * nobody picks an edge at that zoom, and hundreds of elements cost more to build and paint.
   */
  private renderEdgeOutline(layouts: EdgeLayout[]) {
    const done: string[] = []
    const rest: string[] = []
    for (const l of layouts) (this.edgeDone(l) ? done : rest).push(l.path)
    return svg`<path class="edge-path" d=${rest.join(' ')}></path><g class="xy-flow__edge done"><path class="edge-path" d=${done.join(' ')}></path></g>`
  }

  private mapNodesBeforeDrag: CanvasNode[] = []

  /**
   * The nodes the overview map draws: it catches up when a drag ends rather than following every
   * mouse move, which would cost a large flow's drag steps a redraw of the whole map each.
   */
  private mapNodes(): CanvasNode[] {
    if (!this.store.dragging) this.mapNodesBeforeDrag = this.store.nodes
    return this.mapNodesBeforeDrag
  }

  private compact(): boolean {
    return this.store.transform[2] < COMPACT_ZOOM
  }

  /** Edges in blocks too, each skipped while its layouts (memoised by reference) and run states hold. */
  private renderEdgeList(layouts: EdgeLayout[]) {
    const blocks = []
    for (let start = 0; start < layouts.length; start += BLOCK) {
      const block = layouts.slice(start, start + BLOCK)
      blocks.push(
        guard(
          block.flatMap((l) => [l, this.edgeDone(l)]),
          () => this.renderEdgeBlock(block)
        )
      )
    }
    return blocks
  }

  /**
   * "16 in · 16 out", or per port for several outputs ("16 in · 8 failed · 8 passed · 16 results"):
   * their sum would count a resource twice. Whole parts only, as many as fit; the tooltip has all.
   */
  private renderCounts(run: NodeRunState, outputs: PortRef[]) {
    const parts = [
      `${run.itemsIn ?? 0} in`,
      ...outputCountParts(run.itemsOut ?? 0, run.outputCounts, outputs),
    ]
    const all = parts.join(' · ')
    let shown = parts[0]!
    for (const [i, part] of parts.entries()) {
      if (i === 0) continue
      // Room for this part, and for the "…" that says more follow unless it is the last.
      const last = i === parts.length - 1
      if (textEm(`${shown} · ${part}${last ? '' : ' …'}`) > COUNTS_EM) {
        shown += ' …'
        break
      }
      shown += ` · ${part}`
    }
    return html`<div class="counts" title=${all} data-counts=${all}>${shown}</div>`
  }

  private edgeDone(l: EdgeLayout): boolean {
    return (
      this.statuses[l.edge.source]?.status === 'succeeded' &&
      this.statuses[l.edge.target]?.status === 'succeeded'
    )
  }

  private renderEdgeBlock(layouts: EdgeLayout[]) {
    return repeat(
      layouts,
      (l) => l.edge.id,
      (l) => {
        const done = this.edgeDone(l)
        return guard(
          [l, done],
          () => svg`<g
            class="xy-flow__edge ${l.edge.selected ? 'selected' : ''} ${done ? 'done' : ''}"
            data-edge-id=${l.edge.id}
            @pointerdown=${(e: PointerEvent) => this.onEdgePointerDown(e, l.edge.id)}
          ><path class="edge-hit" d=${l.path}></path><path class="edge-path" d=${l.path}></path></g>`
        )
      }
    )
  }

  /**
   * Nodes render in blocks, each skipped unless something one of its nodes shows changed (its canvas
   * node, run state, problem, menu, the connection touching it, readonly, whether it has outgoing
   * edges). Dragging one node in a 500-node flow thus re-renders one block, and within it one card.
   */
  private renderNodes() {
    const nodes = this.store.nodes
    const outgoing = this.nodesWithOutgoing()
    const blocks = []
    for (let start = 0; start < nodes.length; start += BLOCK) {
      const block = nodes.slice(start, start + BLOCK)
      const deps = block.flatMap((n) => this.nodeDeps(n, outgoing))
      // Each block is its own containing block, so moving a node lays out its block, not every node.
      blocks.push(
        guard(
          deps,
          () =>
            html`<div class="node-block">${repeat(
              block,
              (n) => n.id,
              (n) => guard(this.nodeDeps(n, outgoing), () => this.renderNode(n))
            )}</div>`
        )
      )
    }
    return blocks
  }

  private nodeDeps(node: CanvasNode, outgoing: Set<string>): unknown[] {
    const c = this.store.connection
    const connection = c.inProgress
      ? `c${c.fromHandle.nodeId === node.id ? `f${c.fromHandle.id}` : ''}${c.toHandle?.nodeId === node.id ? `t${c.toHandle.id}${c.isValid}` : ''}`
      : ''
    return [
      node,
      this.compact(),
      this.store.nodeLookup.get(node.id)?.internals.z,
      this.statuses[node.id],
      this.problems[node.id],
      this.menuFor === node.id,
      connection,
      this.readonly,
      outgoing.has(node.id),
    ]
  }

  private outgoingCache: { edges: unknown; ids: Set<string> } = { edges: null, ids: new Set() }

  private nodesWithOutgoing(): Set<string> {
    if (this.outgoingCache.edges !== this.store.edges)
      this.outgoingCache = { edges: this.store.edges, ids: new Set(this.store.edges.map((e) => e.source)) }
    return this.outgoingCache.ids
  }

  private renderConnectionLine() {
    const c = this.store.connection
    if (!c.inProgress) return nothing
    const stateClass = c.isValid === false ? 'invalid' : c.isValid ? 'valid' : ''
    // XYHandle reports `from` in flow coordinates but `to` in container pixels.
    const to = pointToRendererPoint(c.to, this.store.transform)
    const dx = Math.max(40, Math.abs(to.x - c.from.x) / 2)
    const forward = c.fromHandle.type === 'source' ? 1 : -1
    const d = `M${c.from.x},${c.from.y} C${c.from.x + dx * forward},${c.from.y} ${to.x - dx * forward},${to.y} ${to.x},${to.y}`
    return svg`<path class="connection-line ${stateClass}" d=${d}></path>`
  }

  private renderConnectionRefusal() {
    const c = this.store.connection
    const reason = this.connections.refusal
    if (!c.inProgress || !reason) return nothing
    return html`<div class="refusal-tip" role="status" style="left:${c.to.x}px;top:${c.to.y}px">
      ${reason}
    </div>`
  }

  /** The far-zoom card: enough to see the flow's shape and run, cheap enough for hundreds. */
  private renderCompactNode(node: CanvasNode, title: string) {
    const internal = this.store.nodeLookup.get(node.id)
    const pos = internal?.internals.positionAbsolute ?? node.position
    const run = this.statuses[node.id]
    return html`<div
      class="${NODE_CLASS} ${NO_PAN} compact ${node.selected ? 'selected' : ''} ${node.dragging ? 'moving' : ''} ${run ? `st-${run.status}` : ''} ${this.problems[node.id] ? 'invalid' : ''}"
      part="node"
      data-node-id=${node.id}
      data-id=${node.id}
      data-type=${node.data.flowNode.type}
      data-status=${run?.status ?? nothing}
      tabindex="0"
      role="group"
      aria-label="${title}${run ? ` (${run.status})` : ''}"
      style="left: ${pos.x}px; top: ${pos.y}px;${internal?.internals.z ? ` z-index: ${internal.internals.z};` : ''} --accent: ${safeColor(node.data.manifest?.color)}"
      @pointerdown=${(e: PointerEvent) => {
        this.drags.ensure(e)
        this.onNodePointerDown(e, node)
      }}
      @dblclick=${() => this.action(node.id, 'edit')}
      @keydown=${(e: KeyboardEvent) => this.onNodeKey(e, node.id)}
    ><div class="card"><div class="title">${fitText(title, 16)}</div></div></div>`
  }

  private renderNode(node: CanvasNode) {
    if (this.compact()) {
      const { flowNode, manifest } = node.data
      return this.renderCompactNode(node, flowNode.label || manifest?.title || flowNode.type)
    }
    const internal = this.store.nodeLookup.get(node.id)
    const pos = internal?.internals.positionAbsolute ?? node.position
    const { flowNode, manifest } = node.data
    const run = this.statuses[node.id]
    const problem = this.problems[node.id]
    const title = flowNode.label || manifest?.title || flowNode.type
    // A type not installed here: the card says which, instead of the server's long problem text.
    const summary = manifest
      ? configSummary(flowNode.type, withDefaults(flowNode.config, manifest.configSchema))
      : `type ${flowNode.type} not installed`
    const { inputs, outputs } = node.data.ports
    const inY = portOffsets(inputs.length)
    const outY = portOffsets(outputs.length)
    const c = this.store.connection
    return html`<div
      class="${NODE_CLASS} ${NO_PAN} ${node.selected ? 'selected' : ''} ${node.dragging ? 'moving' : ''} ${run ? `st-${run.status}` : ''} ${problem ? 'invalid' : ''} ${manifest ? '' : 'unavailable'}"
      part="node"
      data-node-id=${node.id}
      data-id=${node.id}
      data-type=${flowNode.type}
      data-status=${run?.status ?? nothing}
      tabindex="0"
      role="group"
      aria-label="${title}: ${summary}${run ? ` (${run.status})` : ''}"
      style="left: ${pos.x}px; top: ${pos.y}px;${internal?.internals.z ? ` z-index: ${internal.internals.z};` : ''} --accent: ${safeColor(manifest?.color)}"
      @pointerdown=${(e: PointerEvent) => {
        this.drags.ensure(e)
        this.onNodePointerDown(e, node)
      }}
      @dblclick=${() => this.action(node.id, 'edit')}
      @keydown=${(e: KeyboardEvent) => this.onNodeKey(e, node.id)}
    >
      <div class="card">
        <div class="icon" style="background-image: ${iconUrl(manifest?.icon ?? flowNode.type, safeColor(manifest?.color))}"></div>
        <div class="text">
          <div class="title" title=${title}>${fitWidth(title, TITLE_EM)}</div>
          ${
            !manifest
              ? html`<div class="summary problem" data-unavailable title=${problem ?? summary}>${fitText(summary, 54)}</div>`
              : problem
                ? html`<div class="summary problem" title=${problem}>${problemCount(problem)}</div>`
                : html`<div class="summary" title=${summary}>${fitText(summary, 54)}</div>`
          }
          ${
            run?.status === 'cancelled'
              ? html`<div class="counts run-cancelled" title=${run.error ?? 'cancelled'}>Cancelled</div>`
              : run?.error
                ? html`<div class="counts run-error" title=${run.error}>${fitText(run.error, 34)}</div>`
                : run && (run.itemsIn !== undefined || run.itemsOut !== undefined)
                  ? this.renderCounts(run, outputs)
                  : nothing
          }
        </div>
        ${run ? html`<span class="status" title=${run.status}></span>` : nothing}
        <button
          class="menu-btn ${NO_DRAG}"
          aria-label="Node menu"
          aria-haspopup="menu"
          @pointerdown=${(e: Event) => e.stopPropagation()}
          @click=${() => this.toggleMenu(node.id)}
        >⋮</button>
      </div>
      ${inputs.map((port, i) => this.renderHandle(node.id, port.name, 'target', inY[i]!, c.inProgress))}
      ${outputs.map((port, i) => this.renderHandle(node.id, port.name, 'source', outY[i]!, c.inProgress))}
      ${
        outputs.length > 1
          ? outputs.map(
              (port, i) =>
                html`<span class="port-label" data-port=${port.name} style="top:${outY[i]}px">${portLabelText(port)}</span>`
            )
          : nothing
      }
      ${
        outputs.length && !this.readonly
          ? html`<button
              class="add-after ${NO_DRAG} ${this.hasNoOutgoing(node.id) ? 'always' : ''} ${outputs.length > 1 ? 'wide' : ''}"
              aria-label="Add a node after ${title}"
              title="Add a node after this one"
              @pointerdown=${(e: Event) => e.stopPropagation()}
              @click=${() => this.action(node.id, 'add-after')}
            >+</button>`
          : nothing
      }
      ${this.menuFor === node.id ? this.renderMenu(node) : nothing}
    </div>`
  }

  private renderHandle(
    nodeId: string,
    port: string,
    type: 'source' | 'target',
    y: number,
    connecting: boolean
  ) {
    const c = this.store.connection
    const from =
      c.inProgress && c.fromHandle.nodeId === nodeId && c.fromHandle.id === port && c.fromHandle.type === type
    const hovered = c.inProgress && c.toHandle?.nodeId === nodeId && c.toHandle?.id === port
    return html`<div
      class="${HANDLE_CLASS} ${type} connectable connectablestart connectableend ${NO_DRAG} ${NO_PAN} ${from ? 'connectingfrom' : ''} ${hovered && c.isValid ? 'valid' : ''}"
      part="handle"
      style="${type === 'target' ? 'left' : 'right'}:-6px; top:${y - 6}px"
      data-handleid=${port}
      data-nodeid=${nodeId}
      data-handlepos=${type === 'target' ? Position.Left : Position.Right}
      data-id=${handleDataId(nodeId, port, type)}
      data-connecting=${connecting ? 'yes' : 'no'}
      title=${port}
      @mousedown=${(e: MouseEvent) => this.connections.start(e, nodeId, port, type === 'target')}
      @touchstart=${(e: TouchEvent) => this.connections.start(e, nodeId, port, type === 'target')}
    ></div>`
  }

  private renderMenu(node: CanvasNode) {
    const isTrigger = node.data.manifest?.category === 'trigger'
    const items: [NodeAction, string][] = [
      ['edit', this.readonly ? 'View configuration' : 'Edit configuration'],
      ['run-until', 'Run till here'],
      ['details', 'Execution details'],
    ]
    if (!this.readonly && !isTrigger) items.push(['duplicate', 'Duplicate'], ['delete', 'Delete'])
    return html`<div
      class="node-menu ${NO_DRAG} ${NO_WHEEL}"
      role="menu"
      @pointerdown=${(e: Event) => e.stopPropagation()}
      @keydown=${(e: KeyboardEvent) => {
        if (e.key === 'Escape') {
          e.stopPropagation()
          this.menuFor = null
        }
      }}
    >
      ${items.map(
        ([action, label]) =>
          html`<button role="menuitem" class=${action === 'delete' ? 'danger' : ''} data-action=${action}
            @click=${() => this.action(node.id, action)}>${label}</button>`
      )}
    </div>`
  }

  private hasNoOutgoing(nodeId: string): boolean {
    return !this.nodesWithOutgoing().has(nodeId)
  }

  // ---- interaction ----

  private toggleMenu(nodeId: string): void {
    this.menuFor = this.menuFor === nodeId ? null : nodeId
    if (this.menuFor)
      void this.updateComplete.then(() =>
        this.renderRoot.querySelector<HTMLButtonElement>('.node-menu button')?.focus()
      )
  }

  private action(nodeId: string, action: NodeAction): void {
    this.menuFor = null
    if (action === 'delete') {
      this.store.select([nodeId])
      this.store.deleteSelection()
      this.keepFocus()
      return
    }
    emit(this, 'qflow-node-action', { nodeId, action })
  }

  private onNodePointerDown(event: PointerEvent, node: CanvasNode): void {
    if (event.button !== 0) return
    this.focus({ preventScroll: true })
    const multi = event.ctrlKey || event.metaKey || event.shiftKey
    this.store.multiSelectionActive = multi
    if (this.menuFor && this.menuFor !== node.id) this.menuFor = null
    if (multi) this.store.toggleNode(node.id)
    else if (!node.selected) this.store.select([node.id])
  }

  private onEdgePointerDown(event: PointerEvent, edgeId: string): void {
    event.stopPropagation()
    const additive = event.ctrlKey || event.metaKey || event.shiftKey
    this.store.select([], [edgeId], additive)
  }

  private onPanePointerDown = (event: PointerEvent): void => {
    this.focus({ preventScroll: true })
    this.selection.onPointerDown(event)
    this.paneDown = { x: event.clientX, y: event.clientY }
  }

  private onPanePointerUp = (event: PointerEvent): void => {
    this.selection.onPointerUp(event)
    const down = this.paneDown
    this.paneDown = null
    const onPane = (event.target as Element).classList.contains('pane')
    if (down && onPane && Math.hypot(event.clientX - down.x, event.clientY - down.y) < 3 && !event.shiftKey) {
      this.menuFor = null
      this.store.unselectAll()
    }
  }

  private onNodeKey(event: KeyboardEvent, nodeId: string): void {
    if (event.target !== event.currentTarget) return
    if (event.key === 'Enter') {
      event.preventDefault()
      this.action(nodeId, 'edit')
    } else if (event.key === ' ') {
      event.preventDefault()
      if (event.ctrlKey || event.metaKey) this.store.toggleNode(nodeId)
      else this.store.select([nodeId])
    } else if (event.key === 'ContextMenu' || (event.shiftKey && event.key === 'F10')) {
      event.preventDefault()
      this.toggleMenu(nodeId)
    }
  }

  private keyBindings(): KeyBinding[] {
    const nudge = (dx: number, dy: number) => () => this.store.nudgeSelection(dx, dy)
    return [
      {
        keys: ['delete', 'backspace'],
        label: 'Delete selection',
        run: () => {
          if (this.store.deleteSelection()) this.keepFocus()
        },
      },
      {
        keys: ['mod+a'],
        label: 'Select all',
        run: () => this.store.select(this.store.nodes.map((n) => n.id)),
      },
      {
        keys: ['escape'],
        label: 'Clear selection',
        run: () => {
          this.menuFor = null
          this.store.unselectAll()
        },
      },
      { keys: ['f'], label: 'Fit view', run: () => void this.fitView() },
      { keys: ['+', '='], label: 'Zoom in', run: () => this.zoomIn() },
      { keys: ['-'], label: 'Zoom out', run: () => this.zoomOut() },
      { keys: ['arrowleft'], label: 'Move left', run: nudge(-10, 0) },
      { keys: ['arrowright'], label: 'Move right', run: nudge(10, 0) },
      { keys: ['arrowup'], label: 'Move up', run: nudge(0, -10) },
      { keys: ['arrowdown'], label: 'Move down', run: nudge(0, 10) },
      { keys: ['shift+arrowleft'], label: 'Move left more', run: nudge(-50, 0) },
      { keys: ['shift+arrowright'], label: 'Move right more', run: nudge(50, 0) },
      { keys: ['shift+arrowup'], label: 'Move up more', run: nudge(0, -50) },
      { keys: ['shift+arrowdown'], label: 'Move down more', run: nudge(0, 50) },
    ]
  }

  private showNotice(message: string): void {
    this.notice = message
    emit(this, 'qflow-connect-refused', { reason: message })
    clearTimeout(this.noticeTimer)
    this.noticeTimer = setTimeout(() => {
      this.notice = null
    }, 3000)
  }

  /** Where a handle sits in flow coordinates (used to place nodes added after another). */
  handlePosition(nodeId: string, port: string): { x: number; y: number } | null {
    const node = this.store.nodeLookup.get(nodeId)
    const handle = node?.internals.handleBounds?.source?.find((h) => h.id === port)
    return node && handle ? getHandlePosition(node, handle) : null
  }
}

/** "1 problem", "3 problems": a card's problems counted, one per line of its text. */
function problemCount(text: string): string {
  const count = text.split('\n').length
  return count === 1 ? '1 problem' : `${count} problems`
}

/** Grid spacing on screen: 20 flow units, widened when zoomed far out so dots do not turn to haze. */
function gridStep(zoom: number): number {
  let step = 20 * zoom
  while (step < 10) step *= 4
  return step
}

/** A manifest colour as CSS: plugins are third-party, so only plain colour notations pass. */
function safeColor(color: string | undefined): string {
  return color && /^(#[0-9a-f]{3,8}|[a-z]+|(rgb|hsl)a?\([\d\s.,%]+\))$/i.test(color) ? color : '#64748b'
}

declare global {
  interface HTMLElementTagNameMap {
    'qflow-canvas': QflowCanvas
  }
}
