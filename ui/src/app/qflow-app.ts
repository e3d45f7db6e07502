import { html, LitElement, nothing } from 'lit'
import { customElement, property, query, state } from 'lit/decorators.js'
import type { Flow } from '../../../core/flow/schema.ts'
import { ApiError, type FlowSummary, QflowClient } from '../api/client.ts'
import { keyIsAccepted } from '../api/key-check.ts'
import '../editor/qflow-editor.ts'
import { codeSpans } from '../code-spans.ts'
import type { QflowEditor } from '../editor/qflow-editor.ts'
import { modalStyles } from '../panels/modal-styles.ts'
import { download } from '../panels/run-inspector.ts'
import { controlStyles, themeTokens } from '../theme.ts'
import { appStyles } from './app-styles.ts'
import { TEMPLATES } from './templates.ts'

/** The API key for servers that require one: session storage, so it ends with the tab (no cookie). */
const KEY_STORAGE = 'qflow-api-key'
const readKey = () => sessionStorage.getItem(KEY_STORAGE)

type Route = { page: 'list' } | { page: 'edit'; flowId: string } | { page: 'new'; template: Flow | null }

/**
 * The app at `/`: the flow list (search, category filter), creating a flow from scratch or from a
 * template, import and export, and the editor for one flow. Routes are real paths (`/flows/<id>`),
 * which the server answers with this page.
 */
@customElement('qflow-app')
export class QflowApp extends LitElement {
  static override styles = [themeTokens, controlStyles, modalStyles, appStyles]

  @property({ attribute: 'api-base' }) apiBase = ''
  @state() private route: Route = { page: 'list' }
  @state() private flows: FlowSummary[] = []
  @state() private search = ''
  @state() private category = ''
  @state() private categories: string[] = []
  @state() private error = ''
  @state() private createMenu = false
  /** The server answered 401: only the key prompt shows until a key is accepted. */
  @state() private needsKey = false
  /** A key was entered and the server refused it. */
  @state() private keyRefused = false
  /** The list has loaded once, so "No QFlows yet" is a fact and not a guess. */
  @state() private listed = false
  /**
   * Whether the server wants a key was asked (GET /healthz) before any API call: nothing that would
   * be refused is sent until then, so a tab without a key logs no 401.
   */
  @state() private accessKnown = false
  /** The user asked to change the stored key: the prompt shows, with a way back. */
  @state() private changingKey = false
  /** Something the user should know after an action that went on anyway (an import made a copy). */
  @state() private notice = ''
  @query('dialog.templates-dialog') private templatesDialog!: HTMLDialogElement
  @query('qflow-editor') private editor?: QflowEditor
  @query('input[type=file]') private fileInput!: HTMLInputElement
  private searchTimer: ReturnType<typeof setTimeout> | undefined

  private get client(): QflowClient {
    return new QflowClient({ baseUrl: this.apiBase, getToken: readKey })
  }
  /** The path the page shows, to go back to when the user keeps their unsaved edits on Back. */
  private shownPath = location.pathname
  /**
   * Back and Forward change the URL before we hear of it, so leaving unsaved edits is asked about
   * here too, and a "stay" puts the editor's URL back.
   */
  private readonly onPop = () => {
    if (location.pathname !== this.shownPath && !this.mayLeaveEditor()) {
      history.pushState(null, '', this.shownPath)
      return
    }
    this.routeFromLocation()
  }

  private mayLeaveEditor(): boolean {
    return !this.editor?.dirty || confirm('You have unsaved changes. Leave this QFlow?')
  }

  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('popstate', this.onPop)
    void this.checkAccess()
  }

  private async checkAccess(): Promise<void> {
    this.needsKey = !readKey() && (await this.client.keyRequired())
    this.accessKnown = true
    this.routeFromLocation()
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    window.removeEventListener('popstate', this.onPop)
  }

  private routeFromLocation(): void {
    this.shownPath = location.pathname
    const match = /^\/flows\/([^/]+)$/.exec(location.pathname)
    if (match && match[1] !== 'new') this.route = { page: 'edit', flowId: decodeURIComponent(match[1]!) }
    else if (match) this.route = { page: 'new', template: null }
    else {
      this.route = { page: 'list' }
      if (!this.needsKey) void this.loadFlows()
    }
  }

  private go(path: string, route: Route): void {
    if (!this.mayLeaveEditor()) return
    history.pushState(null, '', path)
    this.shownPath = path
    this.notice = ''
    this.route = route
    if (route.page === 'list') void this.loadFlows()
  }

  private async loadFlows(): Promise<void> {
    try {
      const page = await this.client.listFlows({
        q: this.search || undefined,
        category: this.category || undefined,
        limit: 200,
      })
      this.flows = page.items
      if (!this.category && !this.search)
        this.categories = [...new Set(page.items.flatMap((f) => f.categories))].sort()
      this.error = ''
      this.needsKey = false
      this.keyRefused = false
      this.changingKey = false
      this.listed = true
    } catch (err) {
      // A server with API keys answers 401 until the user gives one.
      const refused = err instanceof ApiError && err.status === 401
      this.keyRefused = refused && !!readKey()
      this.needsKey = refused
      this.error = refused ? '' : (err as Error).message
    }
  }

  override render() {
    const route = this.route
    if (!this.accessKnown) return nothing
    return html`<div class="top">
        <a class="brand" href="/" @click=${(e: Event) => {
          e.preventDefault()
          this.go('/', { page: 'list' })
        }}><span class="logo">Q</span>qflow</a>
        ${route.page !== 'list' ? html`<span class="crumb">/ QFlows</span>` : nothing}
        <span class="spacer"></span>
        ${this.renderKeyControl()}
      </div>
      ${
        this.notice
          ? html`<div class="notice" role="status" data-notice>${this.notice}<button class="icon" aria-label="Dismiss" @click=${() => (this.notice = '')}>×</button></div>`
          : nothing
      }
      ${this.needsKey || this.changingKey ? this.renderKeyPrompt() : route.page === 'list' ? this.renderList() : this.renderEditor(route)}
      ${this.renderTemplates()}
      <input type="file" accept=".json,application/json" hidden @change=${this.onImportFile} />`
  }

  private renderEditor(route: Extract<Route, { page: 'edit' | 'new' }>) {
    const flowId = route.page === 'edit' ? route.flowId : ''
    return html`<qflow-editor
      .getToken=${readKey}
      @qflow-key-change=${(e: CustomEvent<{ key: string }>) => sessionStorage.setItem(KEY_STORAGE, e.detail.key)}
      api-base=${this.apiBase}
      flow-id=${flowId}
      @qflow-save=${(e: CustomEvent<{ flow: Flow }>) => {
        const id = e.detail.flow.id
        if (id && route.page === 'new') {
          history.replaceState(null, '', `/flows/${encodeURIComponent(id)}`)
          this.shownPath = location.pathname
          this.route = { page: 'edit', flowId: id }
        }
      }}
      @qflow-load=${() => {}}
    ></qflow-editor>`
  }

  protected override async updated(): Promise<void> {
    const route = this.route
    if (route.page === 'new' && route.template && this.editor) {
      const template = route.template
      this.route = { page: 'new', template: null }
      await this.editor.updateComplete
      await this.editor.edit(template)
    }
  }

  private renderList() {
    return html`<div class="page">
      <div class="list-head">
        <h1>QFlows</h1>
        <input type="search" placeholder="Search by name" aria-label="Search QFlows" .value=${this.search}
          @input=${(e: Event) => {
            this.search = (e.target as HTMLInputElement).value
            clearTimeout(this.searchTimer)
            this.searchTimer = setTimeout(() => void this.loadFlows(), 200)
          }} />
        <select aria-label="Category" @change=${(e: Event) => {
          this.category = (e.target as HTMLSelectElement).value
          void this.loadFlows()
        }}>
          <option value="">All categories</option>
          ${this.categories.map((c) => html`<option value=${c} ?selected=${c === this.category}>${c}</option>`)}
        </select>
        <span class="spacer"></span>
        <button data-action="import" @click=${() => this.fileInput.click()}>Import</button>
        <span class="menu">
          <button class="primary" data-action="create" aria-haspopup="menu" aria-expanded=${this.createMenu} @click=${() => (this.createMenu = !this.createMenu)}>Create QFlow ▾</button>
          ${
            this.createMenu
              ? html`<div class="menu-panel" role="menu">
                  <button role="menuitem" data-action="from-scratch" @click=${() => {
                    this.createMenu = false
                    this.go('/flows/new', { page: 'new', template: null })
                  }}>From scratch</button>
                  <button role="menuitem" data-action="from-template" @click=${() => {
                    this.createMenu = false
                    this.templatesDialog.showModal()
                  }}>From template</button>
                </div>`
              : nothing
          }
        </span>
      </div>
      ${this.error ? html`<div class="error" role="alert">${codeSpans(this.error)}</div>` : nothing}
      ${
        this.flows.length
          ? html`<table>
              <thead><tr><th>Name</th><th>Categories</th><th>Status</th><th>Updated</th><th></th></tr></thead>
              <tbody>${this.flows.map(
                (f) => html`<tr data-flow=${f.id}>
                  <td><a href="/flows/${encodeURIComponent(f.id)}" @click=${(e: Event) => {
                    e.preventDefault()
                    this.go(`/flows/${encodeURIComponent(f.id)}`, { page: 'edit', flowId: f.id })
                  }}>${f.name}</a><span class="flow-id" data-flow-id title="Flow id">${f.id}</span>${f.description ? html`<div class="desc">${f.description}</div>` : nothing}</td>
                  <td>${f.categories.map((c) => html`<span class="chip">${c}</span> `)}</td>
                  <td>${f.deployed ? html`<span class="deployed">Deployed</span>` : 'Draft'}</td>
                  <td>${f.updatedAt ? new Date(f.updatedAt).toLocaleString() : ''}</td>
                  <td><div class="row-actions">
                    <button data-action="export" @click=${() => this.exportFlow(f)}>Export</button>
                    <button class="danger" data-action="delete" @click=${() => this.deleteFlow(f)}>Delete</button>
                  </div></td>
                </tr>`
              )}</tbody>
            </table>`
          : this.listed
            ? html`<div class="empty">${this.search || this.category ? 'No QFlow matches.' : 'No QFlows yet. Create one from scratch or from a template.'}</div>`
            : nothing
      }
    </div>`
  }

  /** Nothing of the list shows behind the prompt: without a key there is nothing to list or create. */
  private renderKeyPrompt() {
    return html`<div class="page">
      <div class="list-head"><h1>QFlows</h1></div>
      <form class="key" @submit=${(e: Event) => {
        e.preventDefault()
        void this.useKey((e.target as HTMLFormElement).querySelector('input')!.value.trim())
      }}>
        <p>This qflow server needs an API key.</p>
        ${this.keyRefused ? html`<p class="error" role="alert">That key was refused. Check it and try again.</p>` : nothing}
        ${this.error && (this.needsKey || this.changingKey) ? html`<p class="error" role="alert">${codeSpans(this.error)}</p>` : nothing}
        <label class="field">API key (kept for this browser tab only)
          <input type="password" name="key" autocomplete="off" placeholder="qflow API key" required />
        </label>
        <button class="primary" type="submit">Use key</button>
        ${this.changingKey && !this.needsKey ? html`<button type="button" data-action="keep-key" @click=${() => (this.changingKey = false)}>Keep the current key</button>` : nothing}
      </form>
    </div>`
  }

  /**
   * A key from the prompt is checked before it is stored: a mistyped one must not replace the key
   * that works (the prompt stays, with Keep the current key).
   */
  private async useKey(key: string): Promise<void> {
    try {
      if (!(await keyIsAccepted(this.apiBase, key))) {
        this.keyRefused = true
        return
      }
    } catch (err) {
      this.error = (err as Error).message
      return
    }
    sessionStorage.setItem(KEY_STORAGE, key)
    // Accepted on an editor page too, the editor then opens in the prompt's place.
    await this.loadFlows()
  }

  /** The key this tab uses, once one is stored: change it (another key or role) or forget it. */
  private renderKeyControl() {
    const key = readKey()
    if (!key || this.needsKey || this.changingKey) return nothing
    return html`<span class="key-control" data-key-control>
      <span class="muted" title="The API key this tab sends">API key ••••${key.slice(-4)}</span>
      <button data-action="change-key" @click=${() => {
        // The prompt takes the editor's place: unsaved changes would go with it.
        if (!this.editor?.dirty || confirm('You have unsaved changes. Change the key and leave this QFlow?'))
          this.keyRefused = false
        this.changingKey = true
      }}>Change</button>
      <button data-action="forget-key" @click=${() => this.forgetKey()}>Forget</button>
    </span>`
  }

  private async forgetKey(): Promise<void> {
    if (this.editor?.dirty && !confirm('You have unsaved changes. Forget the key and leave this QFlow?'))
      return
    sessionStorage.removeItem(KEY_STORAGE)
    this.keyRefused = false
    this.needsKey = await this.client.keyRequired()
    if (this.route.page !== 'list') {
      history.pushState(null, '', '/')
      this.shownPath = '/'
      this.route = { page: 'list' }
    }
    this.flows = []
    this.listed = false
    if (!this.needsKey) void this.loadFlows()
  }

  private renderTemplates() {
    return html`<dialog class="templates-dialog" aria-label="Templates">
      <div class="dialog-body">
        <header class="dialog-head"><h2>Create from a template</h2><button class="close" aria-label="Close" @click=${() => this.templatesDialog.close()}>×</button></header>
        <div class="dialog-main templates">
          ${TEMPLATES.map(
            (t) =>
              html`<button data-template=${t.id} @click=${() => {
                this.templatesDialog.close()
                this.go('/flows/new', { page: 'new', template: structuredClone(t.flow) })
              }}><strong>${t.flow.name}</strong><span>${t.flow.description}</span></button>`
          )}
        </div>
      </div>
    </dialog>`
  }

  private async exportFlow(flow: FlowSummary): Promise<void> {
    try {
      const doc = await this.client.exportFlow(flow.id)
      download(`${flow.id}.qflow.json`, JSON.stringify(doc, null, 2))
    } catch (err) {
      this.error = (err as Error).message
    }
  }

  private async deleteFlow(flow: FlowSummary): Promise<void> {
    if (!confirm(`Delete "${flow.name}"? Its runs are deleted too.`)) return
    try {
      await this.client.deleteFlow(flow.id)
      await this.loadFlows()
    } catch (err) {
      this.error = (err as Error).message
    }
  }

  private onImportFile = async (): Promise<void> => {
    const file = this.fileInput.files?.[0]
    this.fileInput.value = ''
    if (!file) return
    try {
      const doc = JSON.parse(await file.text())
      let taken = ''
      const stored = await this.client.importFlow(doc).catch(async (err) => {
        // The same id exists already: import as a copy rather than refuse, and say so below.
        if (!(err instanceof ApiError) || err.status !== 409) throw err
        taken = String((doc as { id?: unknown }).id ?? '')
        return this.client.importFlowCopy(doc)
      })
      const id = stored.flow.id!
      this.go(`/flows/${encodeURIComponent(id)}`, { page: 'edit', flowId: id })
      // The copy has an id of its own: the stored flow with the file's id is untouched.
      if (taken) this.notice = `A flow with id "${taken}" exists; imported as a copy: ${id}`
    } catch (err) {
      this.error =
        err instanceof SyntaxError ? `${file.name} is not JSON: ${err.message}` : (err as Error).message
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'qflow-app': QflowApp
  }
}
