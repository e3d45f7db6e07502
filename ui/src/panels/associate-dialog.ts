import { css, html, LitElement } from 'lit'
import { customElement, property, query, state } from 'lit/decorators.js'
import type { Flow } from '../../../core/flow/schema.ts'
import type { QflowClient } from '../api/client.ts'
import '../form/option-picker.ts'
import { accountOptions, regionOptions } from '../form/widgets/option-sources.ts'
import { dialogElementStyles } from './modal-styles.ts'

export interface Targets {
  accounts: string[]
  regions: string[]
}

/** What the user chose: accounts and regions, to save (or run) without them, or nothing (cancelled). */
export type AssociateChoice = Targets | 'without' | null

/**
 * "Associate your QFlow with AWS Accounts and Regions" (the product guide's step 7): asked when a
 * flow with AWS nodes is saved for the first time with none, and before a run that needs them.
 * Saving a draft without them stays possible; running does not, since its AWS nodes would find nothing.
 */
@customElement('qflow-associate-dialog')
export class QflowAssociateDialog extends LitElement {
  static override styles = [
    ...dialogElementStyles,
    css`
      /*
       * Two short fields never need a scroll area, and one would clip the pickers' open lists (the
       * region list hid under the footer): the lists overlay the footer instead.
       */
      dialog {
        width: min(480px, 94vw);
        overflow: visible;
      }
      .dialog-main {
        display: grid;
        gap: 14px;
        overflow: visible;
      }
      p {
        margin: 0;
        font-size: 13px;
        color: var(--_muted);
      }
      .foot-start {
        margin-right: auto;
      }
    `,
  ]

  @property({ attribute: false }) client: QflowClient | null = null
  @state() private flow: Flow | null = null
  @state() private purpose: 'save' | 'run' = 'save'
  @state() private draft: Targets = { accounts: [], regions: [] }
  @state() private error = ''
  @query('dialog') private dialog!: HTMLDialogElement
  private settle: ((choice: AssociateChoice) => void) | null = null
  private choice: AssociateChoice = null

  /** Open the dialog for `flow`; resolves with the user's choice once it closes. */
  async ask(flow: Flow, purpose: 'save' | 'run'): Promise<AssociateChoice> {
    this.settle?.(null)
    this.flow = flow
    this.purpose = purpose
    this.draft = { accounts: [...flow.accounts], regions: [...flow.regions] }
    this.error = ''
    this.choice = null
    await this.updateComplete
    this.dialog.showModal()
    return new Promise((resolve) => {
      this.settle = resolve
    })
  }

  override render() {
    const d = this.draft
    const ctx = { client: this.client, config: {}, keys: [], flow: this.flow, nodeId: null }
    const run = this.purpose === 'run'
    return html`<dialog aria-label="Accounts and regions" @close=${this.closed}>
      <div class="dialog-body">
        <header class="dialog-head"><h2>Associate with AWS accounts and regions</h2><button class="close" aria-label="Close" @click=${() => this.dialog.close()}>×</button></header>
        <div class="dialog-main">
          <p>${run ? 'This QFlow has AWS nodes: choose where they look before it runs.' : 'This QFlow has AWS nodes: choose the accounts and regions it runs on.'}</p>
          <div class="field"><span>Accounts</span>
            <qflow-option-picker multiple label="Accounts" placeholder="Select Account" data-field="accounts" .options=${accountOptions(ctx)} .value=${d.accounts}
              @picker-change=${(e: CustomEvent<{ value: string[] }>) => (this.draft = { ...this.draft, accounts: e.detail.value })}></qflow-option-picker>
          </div>
          <div class="field"><span>Regions</span>
            <qflow-option-picker multiple label="Regions" placeholder="Select Region" data-field="regions" .options=${regionOptions(ctx, d.accounts)} .value=${d.regions}
              @picker-change=${(e: CustomEvent<{ value: string[] }>) => (this.draft = { ...this.draft, regions: e.detail.value })}></qflow-option-picker>
          </div>
          ${this.error ? html`<span class="error-text" role="alert">${this.error}</span>` : ''}
        </div>
        <footer class="dialog-foot">
          ${run ? '' : html`<button class="foot-start" data-action="save-without" @click=${() => this.finish('without')}>Save without accounts</button>`}
          <button data-action="cancel" @click=${() => this.dialog.close()}>Cancel</button>
          <button class="primary" data-action="associate" @click=${this.apply}>${run ? 'Save and run' : 'Save'}</button>
        </footer>
      </div>
    </dialog>`
  }

  private apply = (): void => {
    if (!this.draft.accounts.length || !this.draft.regions.length) {
      this.error = 'Choose at least one account and one region'
      return
    }
    this.finish({ accounts: this.draft.accounts, regions: this.draft.regions })
  }

  private finish(choice: AssociateChoice): void {
    this.choice = choice
    this.dialog.close()
  }

  private closed = (): void => {
    const settle = this.settle
    this.settle = null
    settle?.(this.choice)
    this.dispatchEvent(new CustomEvent('dialog-close'))
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'qflow-associate-dialog': QflowAssociateDialog
  }
}
