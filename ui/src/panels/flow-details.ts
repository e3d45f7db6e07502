import { css, html, LitElement, type PropertyValues } from 'lit'
import { customElement, property, query, state } from 'lit/decorators.js'
import type { Flow, FlowVariable } from '../../../core/flow/schema.ts'
import type { QflowClient } from '../api/client.ts'
import '../form/option-picker.ts'
import { codeSpans } from '../code-spans.ts'
import { oneLineProblem } from '../form/text-rules.ts'
import { accountOptions, regionOptions } from '../form/widgets/option-sources.ts'
import { dialogElementStyles } from './modal-styles.ts'
import './variables-editor.ts'
import type { VariablesChange } from './variables-editor.ts'

export const SUGGESTED_CATEGORIES = [
  'Security',
  'Compliance',
  'Cost',
  'Operations',
  'Remediation',
  'Inventory',
]

export interface FlowDetails {
  name: string
  description: string
  categories: string[]
  accounts: string[]
  regions: string[]
  variables: FlowVariable[]
}

/**
 * Basic details of a QFlow: name, description, categories (several), the accounts and regions
 * it runs on, and its variables.
 *
 * @fires details-save - detail: FlowDetails
 * @fires dialog-close
 */
/** Why the details dialog is open: plain editing, or naming a new flow before it is run or deployed. */
export type DetailsIntent = 'edit' | 'save-run' | 'save-deploy'

const WORDING: Record<DetailsIntent, { title: string; note: string; button: string }> = {
  edit: { title: 'QFlow details', note: '', button: 'Apply' },
  'save-run': {
    title: 'Save this QFlow to run it',
    note: 'A run runs the saved QFlow. Name it: it is saved, then the run starts.',
    button: 'Save and run',
  },
  'save-deploy': {
    title: 'Save this QFlow to deploy it',
    note: 'Deploying arms the saved QFlow’s trigger. Name it: it is saved, then deployed.',
    button: 'Save and deploy',
  },
}

@customElement('qflow-flow-details')
export class QflowFlowDetails extends LitElement {
  static override styles = [
    ...dialogElementStyles,
    css`
      dialog {
        width: min(640px, 94vw);
      }
      .dialog-main {
        display: grid;
        gap: 14px;
      }
      input,
      textarea {
        width: 100%;
      }
      textarea {
        font-family: var(--_font);
      }
      .note {
        margin: 0;
        font-size: 13px;
        color: var(--_muted);
      }
      .cats {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
      }
      .cats button[aria-pressed='true'] {
        background: var(--_accent);
        color: var(--_accent-text);
        border-color: var(--_accent);
      }
      .foot-error {
        margin-right: auto;
        align-self: center;
      }
      .cats button {
        border-radius: 999px;
        padding: 3px 12px;
      }
    `,
  ]

  @property({ attribute: false }) flow: Flow | null = null
  @property({ attribute: false }) client: QflowClient | null = null
  @property({ type: Boolean }) open = false
  @property({ type: Boolean }) readonly = false
  /**
   * `save-run` / `save-deploy`: asked before the first run or deploy of a flow not stored yet. Both
   * act on the stored flow, so the dialog says it will be saved under this name, and its button
   * saves and goes on.
   */
  @property() intent: DetailsIntent = 'edit'
  @state() private draft: FlowDetails = {
    name: '',
    description: '',
    categories: [],
    accounts: [],
    regions: [],
    variables: [],
  }
  @state() private error = ''
  /** The variables as last typed, when one of them is refused: Apply waits until they are fixed. */
  @state() private variablesInvalid = false
  /** The variables the editor starts from, set once per opening: its rows keep what is typed. */
  @state() private variablesShown: FlowVariable[] = []
  /** Why the category being typed is refused (a pasted tab), shown as it is typed. */
  @state() private categoryError = ''
  @query('dialog') private dialog!: HTMLDialogElement

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('open') && this.open && this.flow) {
      const { name, description, categories, accounts, regions, variables } = this.flow
      this.draft = {
        name,
        description,
        categories: [...categories],
        accounts: [...accounts],
        regions: [...regions],
        variables: structuredClone(variables ?? []),
      }
      this.variablesShown = this.draft.variables
      this.variablesInvalid = false
      this.error = ''
      this.categoryError = ''
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('open')) return
    if (this.open && !this.dialog.open) {
      this.dialog.showModal()
      // Naming is what this dialog is for before a first run: typing replaces "Untitled QFlow".
      if (this.intent !== 'edit')
        this.renderRoot.querySelector<HTMLInputElement>('[data-field=name]')?.select()
    } else if (!this.open && this.dialog.open) this.dialog.close()
  }

  override render() {
    const d = this.draft
    const categories = [...new Set([...SUGGESTED_CATEGORIES, ...d.categories])]
    const ctx = { client: this.client, config: {}, keys: [], flow: this.flow, nodeId: null }
    return html`<dialog aria-label="QFlow details" @close=${() => {
      this.open = false
      this.dispatchEvent(new CustomEvent('dialog-close'))
    }}>
      <div class="dialog-body">
        <header class="dialog-head"><h2>${WORDING[this.intent].title}</h2><button class="close" aria-label="Close" @click=${() => this.dialog.close()}>×</button></header>
        <div class="dialog-main">
          ${this.intent === 'edit' ? '' : html`<p class="note" data-save-note>${WORDING[this.intent].note}</p>`}
          <label class="field">QFlow Name
            <input type="text" data-field="name" maxlength="200" .value=${d.name} ?readonly=${this.readonly}
              @input=${(e: Event) => (this.draft = { ...d, name: (e.target as HTMLInputElement).value })} />
            ${this.error ? html`<span class="error-text" role="alert">${codeSpans(this.error)}</span>` : ''}
          </label>
          <label class="field">Description
            <textarea rows="3" data-field="description" maxlength="5000" .value=${d.description} ?readonly=${this.readonly}
              @input=${(e: Event) => (this.draft = { ...d, description: (e.target as HTMLTextAreaElement).value })}></textarea>
          </label>
          <div class="field"><span>Categories</span>
            <div class="cats" role="group" aria-label="Categories">
              ${categories.map((c) => {
                const on = d.categories.includes(c)
                return html`<button aria-pressed=${on} data-category=${c} ?disabled=${this.readonly}
                  @click=${() => (this.draft = { ...d, categories: on ? d.categories.filter((x) => x !== c) : [...d.categories, c] })}>${c}</button>`
              })}
            </div>
            <input type="text" placeholder="Add a category and press Enter" aria-label="New category" data-field="new-category" ?hidden=${this.readonly}
              aria-invalid=${this.categoryError ? 'true' : 'false'}
              @input=${(e: Event) => (this.categoryError = oneLineProblem((e.target as HTMLInputElement).value))}
              @keydown=${(e: KeyboardEvent) => {
                const input = e.target as HTMLInputElement
                if (e.key !== 'Enter' || !input.value.trim()) return
                e.preventDefault()
                this.categoryError = oneLineProblem(input.value)
                if (this.categoryError) return
                this.draft = { ...d, categories: [...new Set([...d.categories, input.value.trim()])] }
                input.value = ''
              }} />
            ${this.categoryError ? html`<span class="error-text" role="alert" data-error="new-category">Category ${this.categoryError}</span>` : ''}
          </div>
          <div class="field"><span>Accounts</span>
            <qflow-option-picker multiple label="Accounts" placeholder="Select Account" data-field="accounts" .options=${accountOptions(ctx)} .value=${d.accounts} ?disabled=${this.readonly}
              @picker-change=${(e: CustomEvent<{ value: string[] }>) => (this.draft = { ...this.draft, accounts: e.detail.value })}></qflow-option-picker>
          </div>
          <div class="field"><span>Regions</span>
            <qflow-option-picker multiple label="Regions" placeholder="Select Region" data-field="regions" .options=${regionOptions(ctx, d.accounts)} .value=${d.regions} ?disabled=${this.readonly}
              @picker-change=${(e: CustomEvent<{ value: string[] }>) => (this.draft = { ...this.draft, regions: e.detail.value })}></qflow-option-picker>
          </div>
          <div class="field" data-section="variables"><span>Variables</span>
            <qflow-variables-editor .variables=${this.variablesShown} ?readonly=${this.readonly}
              @variables-change=${(e: CustomEvent<VariablesChange>) => {
                this.draft = { ...this.draft, variables: e.detail.variables }
                this.variablesInvalid = !e.detail.valid
              }}></qflow-variables-editor>
          </div>
        </div>
        <footer class="dialog-foot">
          ${this.variablesInvalid ? html`<span class="error-text foot-error" role="status">Fix the variables marked above</span>` : ''}
          <button @click=${() => this.dialog.close()}>Cancel</button>
          ${this.readonly ? '' : html`<button class="primary" data-action="apply" @click=${this.apply}>${WORDING[this.intent].button}</button>`}
        </footer>
      </div>
    </dialog>`
  }

  private apply = (): void => {
    if (this.variablesInvalid) return
    if (!this.draft.name.trim()) {
      this.error = 'A QFlow needs a name'
      return
    }
    const name = oneLineProblem(this.draft.name)
    if (name) {
      this.error = `The name ${name}`
      return
    }
    this.dispatchEvent(
      new CustomEvent('details-save', { detail: { ...this.draft, name: this.draft.name.trim() } })
    )
    this.dialog.close()
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'qflow-flow-details': QflowFlowDetails
  }
}
