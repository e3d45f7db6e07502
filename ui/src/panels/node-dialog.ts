import { css, html, LitElement, nothing, type PropertyValues } from 'lit'
import { customElement, property, query, state } from 'lit/decorators.js'
import type { Flow, FlowNode } from '../../../core/flow/schema.ts'
import type { NodeTypeDescription } from '../../../core/plugin/registry.ts'
import type { QflowClient } from '../api/client.ts'
import { type JsonSchema, localProblems } from '../form/json-schema.ts'
import { oneLineProblem } from '../form/text-rules.ts'
import '../form/schema-form.ts'
import { codeSpans } from '../code-spans.ts'
import { iconTemplate } from '../nodes/icons.ts'
import { dialogElementStyles } from './modal-styles.ts'

/**
 * The edit dialog of one node: its name and the config form generated from its type's JSON Schema.
 * Local checks show as the user types; the server's messages for this node arrive in `serverErrors`.
 *
 * @fires node-save - detail `{nodeId, label, config}`
 * @fires dialog-close
 */
@customElement('qflow-node-dialog')
export class QflowNodeDialog extends LitElement {
  static override styles = [
    ...dialogElementStyles,
    css`
      dialog {
        width: min(760px, 94vw);
      }
      .type {
        display: grid;
        place-items: center;
        width: 30px;
        height: 30px;
        border-radius: 8px;
        color: var(--c);
        background: color-mix(in srgb, var(--c) 14%, transparent);
      }
      .name {
        margin-bottom: 16px;
      }
      .name input {
        width: 100%;
      }
      .desc {
        font-size: 12px;
        color: var(--_muted);
        margin: -6px 0 14px;
      }
      .summary-errors {
        color: var(--_danger);
        font-size: 12px;
        margin-right: auto;
        align-self: center;
      }
    `,
  ]

  @property({ attribute: false }) node: FlowNode | null = null
  @property({ attribute: false }) typeInfo: NodeTypeDescription | undefined
  @property({ attribute: false }) flow: Flow | null = null
  @property({ attribute: false }) client: QflowClient | null = null
  /** Key paths seen in this node's last run, for key pickers. */
  @property({ attribute: false }) keys: string[] = []
  /** Server messages for this node's config, by dotted field path. */
  @property({ attribute: false }) serverErrors: Record<string, string> = {}
  @property({ type: Boolean }) readonly = false
  /** Asks the server about a configuration before the dialog closes; answers problems by field. */
  @property({ attribute: false }) validate:
    | ((nodeId: string, label: string, config: Record<string, unknown>) => Promise<Record<string, string>>)
    | null = null
  @state() private label = ''
  @state() private checking = false
  @state() private config: Record<string, unknown> = {}
  @state() private touched = false
  /** Form fields whose typed text is not a value yet (JSON that does not parse), by path. */
  @state() private unparsed: Record<string, string> = {}
  @query('dialog') private dialog!: HTMLDialogElement

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('node') && this.node) {
      this.label = this.node.label
      this.config = structuredClone(this.node.config)
      this.touched = false
      this.unparsed = {}
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('node')) {
      if (this.node && !this.dialog.open) this.dialog.showModal()
      else if (!this.node && this.dialog.open) this.dialog.close()
    }
  }

  /** Problems by field; `label` is the name input's, the rest are the config form's. */
  private problems(): Record<string, string> {
    const schema = (this.typeInfo?.configSchema ?? {}) as JsonSchema
    const local = this.touched ? localProblems(schema, this.config, schema) : {}
    const name = oneLineProblem(this.label)
    if (name) local.label = name
    // Server messages hold until the user edits; local checks then take over.
    return { ...(this.touched ? local : { ...local, ...this.serverErrors }), ...this.unparsed }
  }

  override render() {
    const node = this.node
    const type = this.typeInfo
    const { label: nameError, ...errors } = node ? this.problems() : ({} as Record<string, string>)
    const count = Object.keys(errors).length + (nameError ? 1 : 0)
    return html`<dialog aria-label="Edit node" @close=${() => this.dispatchEvent(new CustomEvent('dialog-close'))}>
      ${
        node
          ? html`<div class="dialog-body">
              <header class="dialog-head">
                <span class="type" style="--c:${type?.color ?? '#64748b'}">${iconTemplate(type?.icon ?? node.type)}</span>
                <h2>${this.readonly ? '' : 'Edit '}${type?.title ?? node.type} Node</h2>
                <button class="close" aria-label="Close" @click=${() => this.dialog.close()}>×</button>
              </header>
              <div class="dialog-main">
                ${type ? html`<p class="desc">${type.description}</p>` : html`<p class="error-text">Unknown node type "${node.type}": no installed plugin provides it.</p>`}
                <label class="field name">Name
                  <input type="text" data-field="label" .value=${this.label} ?readonly=${this.readonly} maxlength="200"
                    aria-invalid=${nameError ? 'true' : 'false'}
                    @input=${(e: Event) => {
                      this.label = (e.target as HTMLInputElement).value
                      this.touched = true
                    }} />
                  ${nameError ? html`<span class="error-text" role="alert">${codeSpans(nameError)}</span>` : nothing}
                </label>
                ${
                  type
                    ? html`<qflow-schema-form
                        .schema=${type.configSchema as JsonSchema}
                        .value=${this.config}
                        .widgets=${type.widgets ?? {}}
                        .errors=${errors}
                        .readonly=${this.readonly}
                        .context=${{ client: this.client, config: this.config, keys: this.keys, flow: this.flow, nodeId: node.id }}
                        @form-change=${(e: CustomEvent<{ value: Record<string, unknown> }>) => {
                          this.config = e.detail.value
                          this.touched = true
                        }}
                        @form-unparsed=${(e: CustomEvent<{ fields: Record<string, string> }>) => (this.unparsed = e.detail.fields)}
                      ></qflow-schema-form>`
                    : nothing
                }
              </div>
              <footer class="dialog-foot">
                ${count ? html`<span class="summary-errors" role="status">${count} field${count > 1 ? 's' : ''} to fix</span>` : nothing}
                <button @click=${() => this.dialog.close()}>${this.readonly ? 'Close' : 'Cancel'}</button>
                ${this.readonly ? nothing : html`<button class="primary" data-action="save" ?disabled=${this.checking} @click=${this.save}>${this.checking ? 'Checking…' : 'Save'}</button>`}
              </footer>
            </div>`
          : nothing
      }
    </dialog>`
  }

  private save = async (): Promise<void> => {
    const node = this.node
    if (!node || this.checking) return
    this.touched = true
    const schema = (this.typeInfo?.configSchema ?? {}) as JsonSchema
    const local = localProblems(schema, this.config, schema)
    if (Object.keys(local).length || oneLineProblem(this.label) || Object.keys(this.unparsed).length) {
      this.requestUpdate()
      return
    }
    // What only the server can tell (a pattern it refuses, a negative age): shown here, not after.
    if (this.validate) {
      this.checking = true
      const config = this.config
      const server = await this.validate(node.id, this.label.trim(), config).finally(() => {
        this.checking = false
      })
      if (this.node !== node || this.config !== config) return
      if (Object.keys(server).length) {
        this.serverErrors = server
        this.touched = false
        return
      }
    }
    this.dispatchEvent(
      new CustomEvent('node-save', {
        detail: { nodeId: node.id, label: this.label.trim(), config: this.config },
      })
    )
    this.dialog.close()
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'qflow-node-dialog': QflowNodeDialog
  }
}
