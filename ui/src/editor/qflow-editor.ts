import { html, LitElement, nothing, type PropertyValues } from 'lit'
import { customElement, property, query, state } from 'lit/decorators.js'
import type { Flow } from '../../../core/flow/schema.ts'
import type { NodeTypeDescription } from '../../../core/plugin/registry.ts'
import { ApiError, QflowClient } from '../api/client.ts'
import '../canvas/flow-canvas.ts'
import type { QflowCanvas } from '../canvas/flow-canvas.ts'
import type { Graph } from '../canvas/graph-types.ts'
import { type KeyBinding, KeyboardController } from '../canvas/keyboard-controller.ts'
import { emit, type NodeAction } from '../events.ts'
import '../panels/associate-dialog.ts'
import type { QflowAssociateDialog } from '../panels/associate-dialog.ts'
import '../panels/flow-details.ts'
import type { FlowDetails } from '../panels/flow-details.ts'
import { modalStyles } from '../panels/modal-styles.ts'
import '../panels/node-palette.ts'
import { controlStyles, themeTokens } from '../theme.ts'
import { renderConflict } from './conflict-dialog.ts'
import { renderStatusbar } from './editor-statusbar.ts'
import { editorStyles } from './editor-styles.ts'
import { renderToolbar } from './editor-toolbar.ts'
import { addNode, blankFlow, disabledTypes, duplicateNode, firstOutput } from './flow-edits.ts'
import { FlowSession } from './flow-session.ts'
import { describeLoadFailure, type LoadFailure, renderLoadFailure } from './load-failure.ts'
import { NodeEditingController } from './node-editing.ts'
import { RunController } from './run-controller.ts'
import { SaveController } from './save-controller.ts'
import { cardProblem, refusedRunLine } from './server-problems.ts'
import { SidePanelController } from './side-panel.ts'
import './key-retry.ts'
import { plainText } from '../code-spans.ts'
import { StrayKeysController } from './stray-keys.ts'

/** Lit's default Boolean converter treats readonly="false" as true; embedders expect the opposite. */
const booleanAttribute = {
  fromAttribute: (value: string | null) => value !== null && value !== 'false',
  toAttribute: (value: boolean) => (value ? '' : null),
}

/**
 * The embeddable QFlow editor: loads a flow from the API, edits it on the canvas, saves it with the
 * version check, runs it and shows live statuses and execution details. No iframe, no cookies: it
 * talks to `api-base` with a bearer token.
 *
 * @fires qflow-load - a flow was loaded: `{flow, version}`
 * @fires qflow-node-select - the selected nodes changed: `{nodeIds, edgeIds}`
 * @fires qflow-change - the flow changed and is not saved yet: `{flow, dirty}`
 * @fires qflow-save - the flow was saved: `{flow, version}`
 * @fires qflow-run-start - a run started: `{runId, flowId, until?}`
 * @fires qflow-run-finish - a run finished: `{runId, flowId, status}`
 * @fires qflow-error - a request failed: `{message, status?}`
 * @fires qflow-key-change - the user entered a new API key after the server refused the one in use
 *   (a save answered 401): `{key}`. The editor sends it from then on; a host keeps it if it wants
 * @csspart toolbar - the top bar
 * @csspart canvas - the canvas element
 * @csspart node - each node card (through the canvas)
 * @csspart minimap - the overview map in the canvas's corner
 * @csspart statusbar - the bottom bar
 * @csspart run-button - the Run Now button
 * @csspart save-button - the Save button
 * @cssprop --qflow-accent - accent colour (buttons, selection)
 * @cssprop --qflow-bg - canvas background
 */
@customElement('qflow-editor')
export class QflowEditor extends LitElement {
  static override styles = [themeTokens, controlStyles, modalStyles, editorStyles]

  /** Base URL of the qflow server, e.g. `https://qflow.example.com` (default: this page's origin). */
  @property({ attribute: 'api-base' }) apiBase = ''
  /** The flow to open; without it the editor starts a new, unsaved flow. */
  @property({ attribute: 'flow-id', reflect: true }) flowId = ''
  /** View only: no edits, no saving, no deploying. Runs and execution details stay available. */
  @property({ type: Boolean, reflect: true, converter: booleanAttribute }) readonly = false
  /** The overview map in the canvas's corner; `minimap="false"` hides it. */
  @property({ type: Boolean, converter: booleanAttribute }) minimap = true
  /** A bearer token sent with every request. */
  @property({ attribute: false }) token: string | null = null
  /** Called before each request for a fresh token; wins over `token`. */
  @property({ attribute: false }) getToken:
    | (() => string | null | undefined | Promise<string | null | undefined>)
    | null = null

  @state() private nodeTypes: NodeTypeDescription[] = []
  @state() private selected: string[] = []
  @state() private paletteOpen = false
  @state() private message: { text: string; error?: boolean } | null = null
  @state() private loading = false
  /** The last load failed: the canvas shows why instead of a flow, and editing stays off. */
  @state() private loadFailure: LoadFailure | null = null
  /** The toolbar's overflow menu, offered when the editor is too narrow for every button. */
  @state() private moreOpen = false
  @query('qflow-canvas') private canvas!: QflowCanvas
  @query('dialog.conflict') private conflictDialog!: HTMLDialogElement
  @query('qflow-associate-dialog') private associateDialog!: QflowAssociateDialog

  private addAfter: string | null = null
  /** The run that saved unsaved changes before it started. */
  private savedForRun: string | null = null
  private loadGeneration = 0
  /** The api-base the node types were fetched from. */
  private typesFrom: string | null = null
  private clientCache: { key: string; client: QflowClient } | null = null
  /** A key the user entered after a 401; the host's `token` / `getToken` win again once they change. */
  private enteredToken: string | null = null
  private loadedFlowId: string | null = null
  private readonly session = new FlowSession(this, () => this.client)
  private readonly runner = new RunController(this, () => this.client, {
    onStart: (runId, until) =>
      emit(this, 'qflow-run-start', { runId, flowId: this.session.flow?.id ?? '', until }),
    onFinish: (runId, status) => {
      emit(this, 'qflow-run-finish', { runId, flowId: this.session.flow?.id ?? '', status })
      // A cancelled run was stopped on purpose: said plainly, not as an error.
      const error = status === 'cancelled' ? null : this.runner.run?.error?.message
      // A run that saved the flow first keeps saying so once it is over.
      this.message = error
        ? { text: error, error: true }
        : this.savedForRun === runId
          ? { text: 'Saved before this run' }
          : null
      this.panel.refresh()
    },
  })
  private readonly saver = new SaveController(this, {
    session: this.session,
    client: () => this.client,
    readonly: () => this.readonly,
    nodeTypes: () => this.nodeTypes,
    associateDialog: () => this.associateDialog,
    conflictDialog: () => this.conflictDialog ?? null,
    change: (next) => this.change(next),
    stored: (flowId) => {
      this.loadedFlowId = flowId ?? null
      this.flowId = flowId ?? ''
    },
    labelOf: (id) => this.labelOf(id),
    say: (text, error) => this.say(text, error),
    fail: (err, shown) => this.fail(err, shown),
  })
  private readonly panel = new SidePanelController(this, {
    client: () => this.client,
    flowId: () => this.session.flow?.id,
    runner: this.runner,
    selected: () => this.selected,
    canvas: () => this.canvas ?? null,
    labelOf: (id) => this.labelOf(id),
    typeOf: (id) => this.typeOf(id),
    fail: (err) => this.fail(err),
  })
  private readonly nodeEditing = new NodeEditingController(this, {
    session: this.session,
    runner: this.runner,
    client: () => this.client,
    nodeTypes: () => this.nodeTypes,
    readonly: () => this.readonly,
    canvas: () => this.canvas ?? null,
    change: (next) => this.change(next),
  })
  private readonly beforeUnload = (event: BeforeUnloadEvent) => {
    if (!this.session.dirty || this.readonly) return
    event.preventDefault()
    event.returnValue = ''
  }

  constructor() {
    super()
    new KeyboardController(this, () => this.keyBindings())
    new StrayKeysController(this, () => this.canvas ?? null)
  }

  /** The API client for the current `api-base` and token settings. */
  get client(): QflowClient {
    const key = this.apiBase
    if (!this.clientCache || this.clientCache.key !== key)
      this.clientCache = {
        key,
        client: new QflowClient({
          baseUrl: this.apiBase,
          getToken: () => this.enteredToken ?? (this.getToken ? this.getToken() : this.token),
        }),
      }
    return this.clientCache.client
  }

  /** The flow as currently edited (unsaved changes included). */
  get flow(): Flow | null {
    return this.session.flow
  }

  /** True when there are changes not saved yet. */
  get dirty(): boolean {
    return this.session.dirty
  }

  // ---- public methods ----

  /** Load a flow by id (default: `flow-id`), or start a new one when there is none. */
  async load(flowId: string = this.flowId): Promise<void> {
    // Attributes may change while a load is under way (a page sets api-base after the element
    // upgraded): only the latest load may touch the editor, earlier ones end quietly.
    const generation = ++this.loadGeneration
    const current = () => generation === this.loadGeneration
    this.loading = true
    this.loadFailure = null
    try {
      if (this.typesFrom !== this.apiBase || !this.nodeTypes.length) {
        const types = await this.client.nodeTypes()
        if (!current()) return
        this.nodeTypes = types
        this.typesFrom = this.apiBase
      }
      this.runner.clear()
      this.panel.side = null
      if (flowId) {
        const stored = await this.client.getFlow(flowId)
        if (!current()) return
        this.session.open(stored)
        this.loadedFlowId = flowId
        this.flowId = flowId
        emit(this, 'qflow-load', { flow: stored.flow, version: stored.version })
        this.fitAfterLoad()
        void this.openLatestRun()
      } else {
        this.session.start(blankFlow())
        this.loadedFlowId = ''
        this.fitAfterLoad()
      }
      this.message = null
    } catch (err) {
      if (!current()) return
      // Whatever was open before is not the flow asked for: nothing may be edited, saved or run.
      this.session.start(null)
      this.runner.clear()
      this.loadFailure = describeLoadFailure(err, flowId)
      this.fail(err)
    } finally {
      if (current()) this.loading = false
    }
  }

  /** Start editing a document that is not stored yet (a template or an imported file). */
  async edit(flow: Flow): Promise<void> {
    if (!this.nodeTypes.length) this.nodeTypes = await this.client.nodeTypes()
    const { id: _id, ...doc } = flow
    this.session.start({ ...doc, deployed: false } as Flow)
    this.loadedFlowId = ''
    this.flowId = ''
    this.runner.clear()
    this.fitAfterLoad()
  }

  /**
   * Save with the version check. Resolves `true` once saved, `false` when it did not happen: a newer
   * version blocked it (the editor shows what changed and offers reload or overwrite) or the request
   * failed (a `qflow-error` event says why), or no flow is loaded yet.
   * @throws {Error} "the editor is read-only" in readonly mode, where saving is never possible: a
   *   caller's mistake, not an outcome to retry, so it is not folded into `false`.
   */
  save(options: { overwrite?: boolean } = {}): Promise<boolean> {
    return this.saver.save(options)
  }

  /** Run the flow (saving first when there are changes); `until` runs a node and its ancestors only. */
  async run(
    options: { until?: string; accounts?: string[]; regions?: string[] } = {}
  ): Promise<string | null> {
    if (!this.session.flow) return null
    // A new flow is named, associated and saved before its first run (see SaveController).
    const saved = await this.saver.beforeRun(options)
    if (saved === null || !this.session.flow) return null
    const flowId = this.session.flow.id
    if (!flowId) return null
    try {
      // The run's badge says it is running (and till which node): a message would say it twice.
      this.message = saved ? { text: 'Saved before this run' } : null
      const runId = await this.runner.start(flowId, options)
      this.savedForRun = saved ? runId : null
      return runId
    } catch (err) {
      // A refused run names its problems (a missing plugin, a node to fix): say which, not a count.
      const refused = refusedRunLine(err)
      if (refused) {
        this.say(refused, true)
        emit(this, 'qflow-error', { message: refused, status: (err as ApiError).status })
      } else this.fail(err)
      return null
    }
  }

  private fitAfterLoad(): void {
    void this.updateComplete.then(() => this.canvas?.requestFit())
  }

  /** Fit every node into view. */
  fitView(): Promise<void> {
    return this.canvas?.fitView() ?? Promise.resolve()
  }

  /** Open the Explore Nodes palette (adds after `nodeId` when given). */
  openPalette(afterNodeId: string | null = null): void {
    if (this.readonly || !this.session.flow) return
    this.addAfter = afterNodeId
    this.paletteOpen = true
  }

  // ---- lifecycle ----

  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('beforeunload', this.beforeUnload)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    window.removeEventListener('beforeunload', this.beforeUnload)
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('token') || changed.has('getToken')) this.enteredToken = null
    if (!this.hasUpdated) return
    const otherServer = changed.has('apiBase') && this.typesFrom !== this.apiBase
    if (otherServer || (changed.has('flowId') && this.flowId !== this.loadedFlowId)) void this.load()
  }

  protected override firstUpdated(): void {
    // After the first render, so attributes set right after the element upgraded are in place.
    if (this.loadedFlowId === null) void this.load()
  }

  // ---- rendering ----

  override render() {
    const flow = this.session.flow
    const graph = this.graphOf(flow)
    const problems = Object.fromEntries(
      [...this.session.problems.byNode].map(([id, fields]) => [id, plainText(cardProblem(fields).text)])
    )
    return html`
      ${renderToolbar({
        flow,
        readonly: this.readonly,
        loadFailed: !!this.loadFailure,
        session: this.session,
        historyOpen: this.panel.historyOpen,
        runActive: this.runner.active,
        moreOpen: this.moreOpen,
        onDetails: () => this.saver.openDetails(),
        onAddNode: () => this.openPalette(this.selected.length === 1 ? this.selected[0]! : null),
        onUndo: () => this.undo(),
        onRedo: () => this.redo(),
        onFit: () => void this.fitView(),
        onHistory: () => void this.panel.toggleHistory(),
        onDeploy: () => void this.saver.toggleDeploy(),
        onSave: () => void this.saver.saveAsked(),
        onRun: () => void this.run(),
        onStop: () => void this.cancelRun(),
        onMoreOpen: (open) => (this.moreOpen = open),
      })}
      <div class="main">
        <qflow-canvas
          part="canvas"
          exportparts="node, handle, notice, minimap"
          .graph=${graph}
          .nodeTypes=${this.nodeTypes}
          .statuses=${this.runner.statuses}
          .problems=${problems}
          ?readonly=${this.readonly}
          .minimap=${this.minimap}
          @qflow-graph-change=${this.onGraphChange}
          @qflow-node-select=${(e: CustomEvent<{ nodeIds: string[] }>) => this.onSelect(e.detail.nodeIds)}
          @qflow-node-action=${(e: CustomEvent<{ nodeId: string; action: NodeAction }>) => this.onNodeAction(e.detail.nodeId, e.detail.action)}
        ></qflow-canvas>
        ${
          this.loadFailure
            ? renderLoadFailure(this.loadFailure, () => void this.load())
            : !flow && !this.loading
              ? html`<div class="empty">No flow loaded</div>`
              : nothing
        }
        ${this.panel.render()}
      </div>
      ${
        this.saver.keyRetry
          ? html`<qflow-key-retry .apiBase=${this.apiBase} @key-dismiss=${() => this.saver.setKeyRetry(false)}
              @key-accept=${(e: CustomEvent<{ key: string }>) => this.retryWithKey(e.detail.key)}></qflow-key-retry>`
          : nothing
      }
      ${renderStatusbar({
        runner: this.runner,
        message: this.message,
        flow,
        nodeTypes: this.nodeTypes,
        general: this.session.problems.general,
        labelOf: (id) => this.labelOf(id),
      })}
      <qflow-node-palette
        .nodeTypes=${this.nodeTypes}
        .open=${this.paletteOpen}
        .disabledTypes=${disabledTypes(flow, this.nodeTypes)}
        @palette-pick=${(e: CustomEvent<{ type: NodeTypeDescription }>) => this.onPick(e.detail.type)}
        @palette-close=${() => {
          this.paletteOpen = false
          this.canvas?.keepFocus()
        }}
      ></qflow-node-palette>
      ${this.nodeEditing.render()}
      <qflow-associate-dialog .client=${this.client} @dialog-close=${() => this.canvas?.keepFocus()}></qflow-associate-dialog>
      <qflow-flow-details
        .flow=${flow}
        .client=${this.client}
        .open=${this.saver.detailsOpen}
        .intent=${this.saver.detailsIntent}
        ?readonly=${this.readonly}
        @details-save=${(e: CustomEvent<FlowDetails>) => {
          this.change({ ...flow!, ...e.detail })
          this.saver.detailsSaved()
        }}
        @dialog-close=${() => {
          this.saver.detailsClosed()
          this.canvas?.keepFocus()
        }}
      ></qflow-flow-details>
      ${renderConflict({
        conflict: this.session.conflict,
        onClose: () => this.canvas?.keepFocus(),
        onKeepEditing: () => this.conflictDialog.close(),
        onReload: () => {
          this.session.takeTheirs()
          this.conflictDialog.close()
          this.say('Loaded the newer version')
        },
        onOverwrite: async () => {
          this.conflictDialog.close()
          await this.save({ overwrite: true })
        },
      })}
    `
  }

  // ---- behaviour ----

  private keyBindings(): KeyBinding[] {
    return [
      { keys: ['mod+z'], label: 'Undo', run: () => this.undo() },
      { keys: ['shift+mod+z', 'mod+y'], label: 'Redo', run: () => this.redo() },
      {
        keys: ['mod+s'],
        label: 'Save',
        run: () => {
          if (!this.readonly) void this.saver.saveAsked()
        },
      },
      { keys: ['mod+enter'], label: 'Run now', run: () => void this.run() },
      {
        keys: ['n'],
        label: 'Add a node',
        run: () => this.openPalette(this.selected.length === 1 ? this.selected[0]! : null),
      },
      {
        keys: ['mod+d'],
        label: 'Duplicate',
        run: () => {
          for (const id of this.selected) this.onNodeAction(id, 'duplicate')
        },
      },
    ]
  }

  private retryWithKey(key: string): void {
    this.enteredToken = key
    this.saver.setKeyRetry(false)
    emit(this, 'qflow-key-change', { key })
    void this.save()
  }

  private change(next: Flow): void {
    if (this.readonly) return
    this.session.change(next)
    emit(this, 'qflow-change', { flow: next, dirty: this.session.dirty })
  }

  private undo(): void {
    if (!this.readonly && this.session.undo())
      emit(this, 'qflow-change', { flow: this.session.flow!, dirty: this.session.dirty })
  }

  private redo(): void {
    if (!this.readonly && this.session.redo())
      emit(this, 'qflow-change', { flow: this.session.flow!, dirty: this.session.dirty })
  }

  private onGraphChange = (event: CustomEvent<{ graph: Graph }>): void => {
    event.stopPropagation()
    const flow = this.session.flow
    if (!flow) return
    this.change({ ...flow, nodes: event.detail.graph.nodes, edges: event.detail.graph.edges })
  }

  private onSelect(nodeIds: string[]): void {
    this.selected = nodeIds
    this.panel.followSelection(nodeIds)
  }

  private onPick(type: NodeTypeDescription): void {
    const flow = this.session.flow
    if (!flow) return
    const types = new Map(this.nodeTypes.map((t) => [t.type, t]))
    const after = this.addAfter ? flow.nodes.find((n) => n.id === this.addAfter) : undefined
    const { flow: next, node } = addNode(flow, type, {
      after: after?.id,
      afterOutputs: after && types.get(after.type)?.outputs.length,
      sourcePort: firstOutput(types, after),
      at: after ? undefined : this.canvas.viewCenter(),
    })
    this.change(next)
    this.addAfter = null
    void this.updateComplete.then(async () => {
      await this.canvas.updateComplete
      this.canvas.selectNodes([node.id])
      await this.canvas.reveal(node.id)
    })
  }

  private onNodeAction(nodeId: string, action: NodeAction): void {
    const flow = this.session.flow
    if (!flow) return
    switch (action) {
      case 'edit':
        this.nodeEditing.open(nodeId)
        break
      case 'add-after':
        this.openPalette(nodeId)
        break
      case 'run-until':
        void this.run({ until: nodeId })
        break
      case 'details':
        this.panel.showDetails(nodeId)
        break
      case 'duplicate':
        if (flow.nodes.find((n) => n.id === nodeId)?.type !== 'trigger')
          this.change(duplicateNode(flow, nodeId))
        break
      case 'delete':
        break
    }
  }

  private async openLatestRun(): Promise<void> {
    const id = this.session.flow?.id
    if (!id) return
    try {
      const latest = (await this.client.listRuns(id, { limit: 1 })).items[0]
      if (latest && !this.runner.run) await this.runner.open(latest.id)
    } catch {
      // History is a convenience; the editor works without it.
    }
  }

  private async cancelRun(): Promise<void> {
    const run = this.runner.run
    if (!run) return
    try {
      await this.client.cancelRun(run.id)
    } catch (err) {
      this.fail(err)
    }
  }

  private graphCache: Graph = { nodes: [], edges: [] }

  /** The same graph object while nodes and edges are unchanged, so the canvas skips reloading. */
  private graphOf(flow: Flow | null): Graph {
    const nodes = flow?.nodes ?? []
    const edges = flow?.edges ?? []
    if (this.graphCache.nodes !== nodes || this.graphCache.edges !== edges) this.graphCache = { nodes, edges }
    return this.graphCache
  }

  private typeOf(nodeId: string): NodeTypeDescription | undefined {
    const type = this.session.flow?.nodes.find((n) => n.id === nodeId)?.type
    return this.nodeTypes.find((t) => t.type === type)
  }

  /** A node's name as shown on its card: its label, else its type's title, else its id. */
  private labelOf(nodeId: string): string {
    const node = this.session.flow?.nodes.find((n) => n.id === nodeId)
    if (!node) return nodeId
    return node.label || this.nodeTypes.find((t) => t.type === node.type)?.title || nodeId
  }

  private say(text: string, error = false): void {
    this.message = { text, error }
  }

  private fail(err: unknown, shown?: string): void {
    const status = err instanceof ApiError ? err.status : undefined
    const code = err instanceof ApiError ? err.code : undefined
    const message = err instanceof Error ? err.message : String(err)
    this.say(shown ?? message, true)
    emit(this, 'qflow-error', { message, status, ...(code ? { code } : {}) })
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'qflow-editor': QflowEditor
  }
}
