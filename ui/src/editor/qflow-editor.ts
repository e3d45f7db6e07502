import { html, LitElement, nothing, type PropertyValues } from 'lit'
import { customElement, property, query, state } from 'lit/decorators.js'
import type { Flow } from '../../../core/flow/schema.ts'
import type { NodeTypeDescription } from '../../../core/plugin/registry.ts'
import { ApiError, QflowClient, type RunRecord } from '../api/client.ts'
import '../canvas/flow-canvas.ts'
import type { QflowCanvas } from '../canvas/flow-canvas.ts'
import type { Graph } from '../canvas/graph-types.ts'
import { type KeyBinding, KeyboardController } from '../canvas/keyboard-controller.ts'
import { emit, type NodeAction } from '../events.ts'
import { keyPathsOf } from '../form/key-paths.ts'
import '../panels/associate-dialog.ts'
import type { QflowAssociateDialog } from '../panels/associate-dialog.ts'
import '../panels/flow-details.ts'
import type { DetailsIntent, FlowDetails } from '../panels/flow-details.ts'
import { modalStyles } from '../panels/modal-styles.ts'
import '../panels/node-dialog.ts'
import '../panels/node-palette.ts'
import '../panels/run-history.ts'
import '../panels/run-inspector.ts'
import { controlStyles, themeTokens } from '../theme.ts'
import { editorStyles } from './editor-styles.ts'
import { addNode, blankFlow, duplicateNode, firstOutput, updateNode } from './flow-edits.ts'
import { FlowSession } from './flow-session.ts'
import { describeLoadFailure, type LoadFailure, renderLoadFailure } from './load-failure.ts'
import { checkNode } from './node-check.ts'
import { RunController } from './run-controller.ts'
import { cardProblem, problemsByTopField, unsavedLine } from './server-problems.ts'
import './key-retry.ts'
import { codeSpans, plainText } from '../code-spans.ts'
import { StrayKeysController } from './stray-keys.ts'

type SidePanel = { kind: 'details'; nodeId: string } | { kind: 'history' } | null

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
  @state() private detailsOpen = false
  /** Why the details dialog is open: to edit them, or to name a new flow before its first run. */
  @state() private detailsIntent: DetailsIntent = 'edit'
  @state() private editing: string | null = null
  @state() private editingKeys: string[] = []
  @state() private side: SidePanel = null
  @state() private runs: RunRecord[] = []
  @state() private runsLoading = false
  @state() private message: { text: string; error?: boolean } | null = null
  @state() private loading = false
  /** The last load failed: the canvas shows why instead of a flow, and editing stays off. */
  @state() private loadFailure: LoadFailure | null = null
  /** The toolbar's overflow menu, offered when the editor is too narrow for every button. */
  @state() private moreOpen = false
  /** A save was refused for the key (revoked): the editor asks for another in place, edits kept. */
  @state() private keyRetry = false
  @query('qflow-canvas') private canvas!: QflowCanvas
  @query('dialog.conflict') private conflictDialog!: HTMLDialogElement
  @query('qflow-associate-dialog') private associateDialog!: QflowAssociateDialog

  private addAfter: string | null = null
  /** Settles the question the details dialog asks before a new flow's first run (named or not). */
  private whenNamed: ((named: boolean) => void) | null = null
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
      if (this.side?.kind === 'history') void this.loadRuns()
    },
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
      this.side = null
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
  async save(options: { overwrite?: boolean } = {}): Promise<boolean> {
    if (this.readonly) throw new Error('the editor is read-only')
    if (!this.session.flow) return false
    try {
      const stored = await this.session.save(options)
      if (!stored) {
        await this.updateComplete
        this.conflictDialog?.showModal()
        return false
      }
      this.loadedFlowId = stored.flow.id ?? null
      this.flowId = stored.flow.id ?? ''
      // The server stores flows with problems (and refuses to run them): say so, not just "Saved".
      const problems = this.problemCount()
      this.say(
        problems ? `Saved with ${problems === 1 ? '1 problem' : `${problems} problems`}` : 'Saved',
        problems > 0
      )
      emit(this, 'qflow-save', { flow: this.session.flow!, version: stored.version })
      return true
    } catch (err) {
      this.fail(err, this.notSavedLine(err))
      if (err instanceof ApiError && err.status === 401) this.keyRetry = true
      return false
    }
  }

  /** Run the flow (saving first when there are changes); `until` runs a node and its ancestors only. */
  async run(
    options: { until?: string; accounts?: string[]; regions?: string[] } = {}
  ): Promise<string | null> {
    if (!this.session.flow) return null
    // A new flow is stored by its first run: the user names it and sees it is saved, not a silent
    // "Untitled QFlow" in the list.
    if (this.session.isNew && !this.readonly && !(await this.askName('save-run'))) return null
    if (this.needsTargets(this.session.flow, options)) {
      // Cloud nodes need somewhere to look: ask now, rather than start a run that must fail.
      if (this.readonly) {
        this.say('This QFlow has no accounts or regions to run on.', true)
        return null
      }
      const choice = await this.associateDialog.ask(this.session.flow, 'run')
      if (!choice || choice === 'without') return null
      this.change({ ...this.session.flow, ...choice })
    }
    // A run runs the stored flow: unsaved changes are saved first, and the status bar says so.
    let saved = false
    if ((this.session.dirty || this.session.isNew) && !this.readonly) {
      if (!(await this.save())) return null
      saved = true
    }
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
      const problems = err instanceof ApiError ? problemMessages(err.details) : []
      if (problems.length) {
        const text = `Not run: ${problems.join('; ')}`
        this.say(text, true)
        emit(this, 'qflow-error', { message: text, status: (err as ApiError).status })
      } else this.fail(err)
      return null
    }
  }

  /**
   * Save as the Save button does: the first save of a flow with AWS nodes and no accounts or regions
   * asks for them (the guide's "associate your QFlow" step), or lets the user save a draft without.
   */
  private async saveAsked(): Promise<boolean> {
    const flow = this.session.flow
    if (!flow || this.readonly) return false
    if (this.session.isNew && this.needsTargets(flow, {})) {
      const choice = await this.associateDialog.ask(flow, 'save')
      if (!choice) return false
      if (choice !== 'without') this.change({ ...flow, ...choice })
    }
    return this.save()
  }

  /** Open the details dialog to name a new flow before it is stored by a run or a deploy. */
  private askName(intent: Exclude<DetailsIntent, 'edit'>): Promise<boolean> {
    this.whenNamed?.(false)
    this.detailsIntent = intent
    this.detailsOpen = true
    return new Promise((resolve) => (this.whenNamed = resolve))
  }

  private settleNaming(named: boolean): void {
    const settle = this.whenNamed
    this.whenNamed = null
    settle?.(named)
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

  protected override updated(changed: PropertyValues): void {
    const side = this.side
    if (!changed.has('side') || !side) return
    const before = changed.get('side') as SidePanel | undefined
    if (side.kind === 'history' && before?.kind === 'history') return
    if (side.kind === 'details' && before?.kind === 'details' && before.nodeId === side.nodeId) return
    // The panel narrows the canvas: keep the flow, and the node it describes (or the one selected)
    // in sight beside it.
    const nodeId =
      side.kind === 'details' ? side.nodeId : this.selected.length === 1 ? this.selected[0]! : null
    void this.canvas?.keepInView(nodeId)
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
      ${this.renderToolbar(flow)}
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
        ${this.renderSide()}
      </div>
      ${
        this.keyRetry
          ? html`<qflow-key-retry .apiBase=${this.apiBase} @key-dismiss=${() => (this.keyRetry = false)}
              @key-accept=${(e: CustomEvent<{ key: string }>) => this.retryWithKey(e.detail.key)}></qflow-key-retry>`
          : nothing
      }
      ${this.renderStatusbar()}
      <qflow-node-palette
        .nodeTypes=${this.nodeTypes}
        .open=${this.paletteOpen}
        .disabledTypes=${this.disabledTypes(flow)}
        @palette-pick=${(e: CustomEvent<{ type: NodeTypeDescription }>) => this.onPick(e.detail.type)}
        @palette-close=${() => {
          this.paletteOpen = false
          this.canvas?.keepFocus()
        }}
      ></qflow-node-palette>
      <qflow-node-dialog
        .node=${this.editing ? (flow?.nodes.find((n) => n.id === this.editing) ?? null) : null}
        .typeInfo=${this.nodeTypes.find((t) => t.type === flow?.nodes.find((n) => n.id === this.editing)?.type)}
        .flow=${flow}
        .client=${this.client}
        .keys=${this.editingKeys}
        .serverErrors=${problemsByTopField((this.editing && this.session.problems.byNode.get(this.editing)) || {})}
        .validate=${this.validateNode}
        ?readonly=${this.readonly}
        @node-save=${this.onNodeSave}
        @dialog-close=${() => {
          this.editing = null
          this.canvas?.keepFocus()
        }}
      ></qflow-node-dialog>
      <qflow-associate-dialog .client=${this.client} @dialog-close=${() => this.canvas?.keepFocus()}></qflow-associate-dialog>
      <qflow-flow-details
        .flow=${flow}
        .client=${this.client}
        .open=${this.detailsOpen}
        .intent=${this.detailsIntent}
        ?readonly=${this.readonly}
        @details-save=${(e: CustomEvent<FlowDetails>) => {
          this.change({ ...flow!, ...e.detail })
          this.settleNaming(true)
        }}
        @dialog-close=${() => {
          this.settleNaming(false)
          this.detailsOpen = false
          this.canvas?.keepFocus()
        }}
      ></qflow-flow-details>
      ${this.renderConflict()}
    `
  }

  private renderToolbar(flow: Flow | null) {
    const s = this.session
    const ro = this.readonly
    const binding = flow
      ? `${plural(flow.accounts.length, 'account')} · ${plural(flow.regions.length, 'region')}`
      : ''
    return html`<div class="toolbar" part="toolbar" role="toolbar" aria-label="QFlow editor">
      <button class="name" data-action="details" title="QFlow details" ?disabled=${!flow} @click=${() => {
        this.detailsIntent = 'edit'
        this.detailsOpen = true
      }}>
        <span>${flow?.name ?? (this.loadFailure ? 'Not loaded' : 'Loading…')}</span>
        ${s.dirty ? html`<span class="dirty" role="status" aria-label="Unsaved changes" title="Unsaved changes"></span>` : nothing}
      </button>
      <span class="binding" title="Accounts and regions this QFlow runs on">${binding}</span>
      <span class="sep"></span>
      ${
        ro
          ? nothing
          : html`<button data-action="add-node" title="Add a node (N)" aria-label="Add node" ?disabled=${!flow} @click=${() => this.openPalette(this.selected.length === 1 ? this.selected[0]! : null)}>+<span class="label"> Add node</span></button>
              <button class="icon narrow-hidden" data-action="undo" title="Undo (Ctrl+Z)" aria-label="Undo" ?disabled=${!s.canUndo} @click=${() => this.undo()}>↶</button>
              <button class="icon narrow-hidden" data-action="redo" title="Redo (Ctrl+Shift+Z)" aria-label="Redo" ?disabled=${!s.canRedo} @click=${() => this.redo()}>↷</button>`
      }
      <button class="icon" data-action="fit" title="Fit view (F)" aria-label="Fit view" ?disabled=${!flow} @click=${() => this.fitView()}>⤢</button>
      <span class="spacer"></span>
      <button data-action="history" class="collapsible" aria-pressed=${this.side?.kind === 'history'} ?disabled=${!flow?.id} @click=${() => this.toggleHistory()}>History</button>
      ${
        ro
          ? nothing
          : html`<button data-action="deploy" class="collapsible ${flow?.deployed ? 'deployed' : ''}" ?disabled=${!flow} title=${flow?.deployed ? 'Deployed: its trigger is armed. Click to undeploy.' : 'Deploy: arm the trigger'}
                @click=${() => this.toggleDeploy()}>${flow?.deployed ? '● Deployed' : 'Deploy'}</button>
              <button data-action="save" part="save-button" ?disabled=${!flow || s.saving || (!s.dirty && !s.isNew)} @click=${() => this.saveAsked()}>${s.saving ? 'Saving…' : 'Save'}</button>`
      }
      ${
        this.runner.active
          ? html`<button data-action="cancel-run" class="danger" @click=${() => this.cancelRun()}>Stop</button>`
          : html`<button class="primary" data-action="run" part="run-button" aria-label="Run Now" ?disabled=${!flow} @click=${() => this.run()}>▶<span class="label"> Run Now</span></button>`
      }
      ${this.renderMore(flow)}
    </div>`
  }

  /**
   * History and Deploy again (and Undo / Redo when very narrow), in a menu: the toolbar's container
   * query hides those buttons and shows this one when the editor is narrow, so nothing wraps or gets cut off.
   */
  private renderMore(flow: Flow | null) {
    const close = () => (this.moreOpen = false)
    return html`<span class="more" @focusout=${(e: FocusEvent) => {
      if (!(e.currentTarget as HTMLElement).contains(e.relatedTarget as Node | null)) close()
    }}>
      <button class="icon" data-action="more" aria-label="More actions" title="More actions" aria-haspopup="menu" aria-expanded=${this.moreOpen}
        @click=${() => (this.moreOpen = !this.moreOpen)}>⋯</button>
      ${
        this.moreOpen
          ? html`<div class="more-menu" role="menu">
              ${
                this.readonly
                  ? nothing
                  : html`<button role="menuitem" class="narrow-only" data-menu-action="undo" ?disabled=${!this.session.canUndo} @click=${() => this.undo()}>Undo</button>
                    <button role="menuitem" class="narrow-only" data-menu-action="redo" ?disabled=${!this.session.canRedo} @click=${() => this.redo()}>Redo</button>`
              }
              <button role="menuitem" data-menu-action="history" ?disabled=${!flow?.id} @click=${() => {
                close()
                void this.toggleHistory()
              }}>${this.side?.kind === 'history' ? 'Hide history' : 'History'}</button>
              ${
                this.readonly
                  ? nothing
                  : html`<button role="menuitem" data-menu-action="deploy" ?disabled=${!flow} @click=${() => {
                      close()
                      void this.toggleDeploy()
                    }}>${flow?.deployed ? 'Undeploy' : 'Deploy'}</button>`
              }
            </div>`
          : nothing
      }
    </span>`
  }

  private renderSide() {
    const side = this.side
    if (!side) return nothing
    if (side.kind === 'history')
      return html`<div class="side"><qflow-run-history
        .runs=${this.runs}
        .loading=${this.runsLoading}
        .currentRunId=${this.runner.run?.id ?? ''}
        .nodeLabel=${(id: string) => this.labelOf(id)}
        @run-open=${(e: CustomEvent<{ runId: string }>) => this.openRun(e.detail.runId)}
        @panel-close=${() => (this.side = null)}
      ></qflow-run-history></div>`
    const run = this.runner.run
    return html`<div class="side"><qflow-run-inspector
      .client=${this.client}
      .runId=${run?.id ?? ''}
      .nodeId=${side.nodeId}
      .nodeLabel=${this.labelOf(side.nodeId)}
      .step=${this.runner.step(side.nodeId)}
      .outputs=${this.typeOf(side.nodeId)?.outputs ?? []}
      @panel-close=${() => (this.side = null)}
    ></qflow-run-inspector></div>`
  }

  /** A node of the shown run ended `partial`: said next to its status, which stays `succeeded`. */
  private runIsPartial(): boolean {
    return (
      Boolean(this.runner.run?.partial) ||
      Object.values(this.runner.statuses).some((s) => s.status === 'partial')
    )
  }

  private renderStatusbar() {
    const run = this.runner.run
    const general = this.session.problems.general
    const missing = this.missingTypes()
    return html`<div class="statusbar" part="statusbar" role="status" aria-live="polite">
      ${run ? html`<span>Last run <span class="badge ${run.status}" data-run-status=${run.status}>${run.status}</span>${this.runIsPartial() ? html` <span class="badge partial" data-run-partial title="A node ended partial: some of its work failed (e.g. one region)">(partial)</span>` : nothing}${run.until ? ` till ${this.labelOf(run.until)}` : ''}</span>` : nothing}
      ${this.runner.reconnecting ? html`<span class="reconnecting" data-connection="lost">Connection lost, reconnecting…</span>` : nothing}
      ${this.message ? html`<span class=${this.message.error ? 'error' : ''} data-message>${codeSpans(this.message.text)}</span>` : nothing}
      ${missing.map((m) => html`<span class="error" data-missing-type=${m}>${m}</span>`)}
      ${general.map((p) => html`<span class="error">${codeSpans(p)}</span>`)}
    </div>`
  }

  /** How many problems the server reported for the flow as saved. */
  private problemCount(): number {
    let count = this.session.problems.general.length
    for (const fields of this.session.problems.byNode.values()) count += Object.keys(fields).length
    return count
  }

  /** One line per node type the flow uses that this server does not have, naming plugin and nodes. */
  private missingTypes(): string[] {
    const flow = this.session.flow
    if (!flow || !this.nodeTypes.length) return []
    const known = new Set(this.nodeTypes.map((t) => t.type))
    const byType = new Map<string, { plugin?: string; nodes: string[] }>()
    for (const node of flow.nodes) {
      if (known.has(node.type)) continue
      const entry = byType.get(node.type) ?? { plugin: node.plugin?.name, nodes: [] }
      entry.nodes.push(`"${node.label || node.id}"`)
      byType.set(node.type, entry)
    }
    return [...byType].map(
      ([type, { plugin, nodes }]) =>
        `Node type "${type}" is not installed${plugin ? ` (install plugin "${plugin}")` : ''}: ${nodes.join(', ')} cannot run`
    )
  }

  private renderConflict() {
    const conflict = this.session.conflict
    return html`<dialog class="conflict" aria-label="Newer version" @close=${() => this.canvas?.keepFocus()}>
      <div class="dialog-body">
        <header class="dialog-head"><h2>This QFlow changed since you opened it</h2></header>
        <div class="dialog-main">
          <p>Version ${conflict?.theirs.version ?? ''} was saved meanwhile. It differs from yours in:</p>
          <ul>${(conflict?.changes.length ? conflict.changes : ['details not shown in the editor']).map((c) => html`<li>${c}</li>`)}</ul>
        </div>
        <footer class="dialog-foot">
          <button @click=${() => this.conflictDialog.close()}>Keep editing</button>
          <button data-action="reload" @click=${() => {
            this.session.takeTheirs()
            this.conflictDialog.close()
            this.say('Loaded the newer version')
          }}>Reload theirs</button>
          <button class="primary" data-action="overwrite" @click=${async () => {
            this.conflictDialog.close()
            await this.save({ overwrite: true })
          }}>Overwrite with mine</button>
        </footer>
      </div>
    </dialog>`
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
          if (!this.readonly) void this.saveAsked()
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
    this.keyRetry = false
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
    // Open execution details follow the selection, so clicking through the nodes reads each one.
    const only = nodeIds.length === 1 ? nodeIds[0]! : null
    if (only && this.side?.kind === 'details' && this.side.nodeId !== only)
      this.side = { kind: 'details', nodeId: only }
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

  private validateNode = (
    nodeId: string,
    label: string,
    config: Record<string, unknown>
  ): Promise<Record<string, string>> => {
    const flow = this.session.flow
    return flow ? checkNode(this.client, flow, nodeId, label, config) : Promise.resolve({})
  }

  private onNodeSave = (
    event: CustomEvent<{ nodeId: string; label: string; config: Record<string, unknown> }>
  ): void => {
    const flow = this.session.flow
    if (!flow) return
    const { nodeId, label, config } = event.detail
    const node = flow.nodes.find((n) => n.id === nodeId)
    this.change(
      updateNode(flow, nodeId, {
        label,
        config,
        typeVersion: this.nodeTypes.find((t) => t.type === node?.type)?.version ?? node?.typeVersion ?? 1,
      })
    )
    this.session.problems.byNode.delete(nodeId)
  }

  private onNodeAction(nodeId: string, action: NodeAction): void {
    const flow = this.session.flow
    if (!flow) return
    switch (action) {
      case 'edit':
        this.editingKeys = []
        this.editing = nodeId
        void this.loadKeys(nodeId)
        break
      case 'add-after':
        this.openPalette(nodeId)
        break
      case 'run-until':
        void this.run({ until: nodeId })
        break
      case 'details':
        this.side = { kind: 'details', nodeId }
        break
      case 'duplicate':
        if (flow.nodes.find((n) => n.id === nodeId)?.type !== 'trigger')
          this.change(duplicateNode(flow, nodeId))
        break
      case 'delete':
        break
    }
  }

  /**
   * Keys seen in the node's input and its own output in the shown (or latest) run, for key pickers.
   * A node that did not run there (the run went till the node before it, the usual way to set up a
   * control) is offered what its upstream nodes put out instead: that is what it will receive.
   */
  private async loadKeys(nodeId: string): Promise<void> {
    const flow = this.session.flow
    if (!flow?.id) return
    try {
      let run = this.runner.run
      if (!run) {
        const latest = (await this.client.listRuns(flow.id, { limit: 1 })).items[0]?.id
        run = latest ? await this.client.getRun(latest) : null
      }
      if (!run) return
      const runId = run.id
      // Ask only for steps the run has and finished: any other request is a 404 (or 409) in the console.
      const ran = new Set(
        run.steps.filter((s) => s.status !== 'pending' && s.status !== 'running').map((s) => s.nodeId)
      )
      // A sample of each port is enough to offer keys, and stays small on large outputs.
      const sample = (id: string, side: 'input' | 'output') =>
        ran.has(id) ? this.client.stepSample(runId, id, side, 50).catch(() => null) : Promise.resolve(null)
      const outputOf = (id: string) => sample(id, 'output')
      const [input, output] = await Promise.all([sample(nodeId, 'input'), outputOf(nodeId)])
      const payloads: unknown[] = [input, output]
      if (!input && !output) {
        const upstream = [...new Set(flow.edges.filter((e) => e.target === nodeId).map((e) => e.source))]
        for (const step of await Promise.all(upstream.map(outputOf))) payloads.push(step)
      }
      const items: unknown[] = []
      for (const payload of payloads) {
        if (!payload || typeof payload !== 'object') continue
        for (const [port, list] of Object.entries(payload as Record<string, unknown>)) {
          // A control's own `results` describe verdicts, not resources; keep to resource-shaped items.
          if (port !== 'results' && Array.isArray(list)) items.push(...list.slice(0, 50))
        }
      }
      if (this.editing === nodeId) this.editingKeys = keyPathsOf(items)
    } catch {
      // Without a run the pickers still take typed keys.
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

  private async openRun(runId: string): Promise<void> {
    try {
      await this.runner.open(runId)
    } catch (err) {
      this.fail(err)
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

  private async toggleHistory(): Promise<void> {
    if (this.side?.kind === 'history') {
      this.side = null
      return
    }
    this.side = { kind: 'history' }
    await this.loadRuns()
  }

  private async loadRuns(): Promise<void> {
    const id = this.session.flow?.id
    if (!id) return
    this.runsLoading = true
    try {
      this.runs = (await this.client.listRuns(id, { limit: 50 })).items
    } catch (err) {
      this.fail(err)
    } finally {
      this.runsLoading = false
    }
  }

  private async toggleDeploy(): Promise<void> {
    const flow = this.session.flow
    if (!flow || this.readonly) return
    // Like a first run, a first deploy names the flow rather than storing an "Untitled QFlow".
    if (this.session.isNew && !(await this.askName('save-deploy'))) return
    if ((this.session.dirty || this.session.isNew) && !(await this.save())) return
    const target = !flow.deployed
    try {
      const stored = await this.client.setDeployed(this.session.flow!.id!, target)
      this.session.acknowledge(stored, target)
      this.say(target ? 'Deployed: the trigger is armed' : 'Undeployed')
    } catch (err) {
      this.fail(err)
    }
  }

  /** True when an AWS node would run with no account or no region (neither the node's nor the flow's). */
  private needsTargets(flow: Flow, options: { accounts?: string[]; regions?: string[] }): boolean {
    const accounts = options.accounts ?? flow.accounts
    const regions = options.regions ?? flow.regions
    return flow.nodes.some((node) => {
      if (this.nodeTypes.find((t) => t.type === node.type)?.category !== 'aws') return false
      const own = (key: string) =>
        Array.isArray(node.config[key]) ? (node.config[key] as unknown[]).length : 0
      return (
        (own('accounts') === 0 && accounts.length === 0) || (own('regions') === 0 && regions.length === 0)
      )
    })
  }

  private disabledTypes(flow: Flow | null): Map<string, string> {
    const out = new Map<string, string>()
    if (!flow) return out
    const hasTrigger = flow.nodes.some(
      (n) => this.nodeTypes.find((t) => t.type === n.type)?.category === 'trigger'
    )
    if (hasTrigger)
      for (const t of this.nodeTypes)
        if (t.category === 'trigger') out.set(t.type, 'A QFlow has one trigger; edit the existing one')
    return out
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

  /**
   * What the status bar says for a refused save: the nodes' problems with the node and field named
   * (the flow's own ones are listed beside it, each with its field), not the server's first message
   * again.
   */
  private notSavedLine(err: unknown): string | undefined {
    if (!(err instanceof ApiError) || (err.status !== 400 && err.status !== 422)) return undefined
    const problems = this.session.problems
    if (!problems.byNode.size && !problems.general.length) return undefined
    return unsavedLine(problems, (id) => this.labelOf(id))
  }

  private fail(err: unknown, shown?: string): void {
    const status = err instanceof ApiError ? err.status : undefined
    const code = err instanceof ApiError ? err.code : undefined
    const message = err instanceof Error ? err.message : String(err)
    this.say(shown ?? message, true)
    emit(this, 'qflow-error', { message, status, ...(code ? { code } : {}) })
  }
}

/** The messages of the problems an API error lists under `details.problems`. */
function problemMessages(details: unknown): string[] {
  const list = (details as { problems?: unknown } | undefined)?.problems
  if (!Array.isArray(list)) return []
  return list.flatMap((p) =>
    p && typeof p === 'object' && typeof (p as { message?: unknown }).message === 'string'
      ? [(p as { message: string }).message]
      : []
  )
}

function plural(n: number, word: string): string {
  return n === 0 ? `no ${word}s` : n === 1 ? `1 ${word}` : `${n} ${word}s`
}

declare global {
  interface HTMLElementTagNameMap {
    'qflow-editor': QflowEditor
  }
}
