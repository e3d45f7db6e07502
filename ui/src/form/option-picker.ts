import { css, html, LitElement, nothing, type PropertyValues } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { controlStyles, themeTokens } from '../theme.ts'

export interface PickerOption {
  value: string
  label: string
  hint?: string
}

/**
 * A searchable single or multiple choice over options that may load from the API. Used by the
 * account, region, service, method and addon widgets.
 *
 * @fires picker-change - detail `{value}`: a string, or a string array when `multiple`
 */
@customElement('qflow-option-picker')
export class QflowOptionPicker extends LitElement {
  static override styles = [
    themeTokens,
    controlStyles,
    css`
      :host {
        display: block;
        position: relative;
      }
      .control {
        display: flex;
        flex-wrap: wrap;
        gap: 4px;
        align-items: center;
        min-height: 32px;
        border: 1px solid var(--_border);
        border-radius: 6px;
        padding: 3px 6px;
        background: var(--_surface);
        cursor: pointer;
        box-sizing: border-box;
        width: 100%;
        text-align: left;
        font-size: 13px;
      }
      .placeholder {
        color: var(--_muted);
      }
      .chip button {
        border: none;
        background: none;
        padding: 0 2px;
        line-height: 1;
        font-size: 13px;
      }
      .panel {
        position: absolute;
        z-index: 20;
        left: 0;
        right: 0;
        top: calc(100% + 4px);
        background: var(--_surface);
        border: 1px solid var(--_border);
        border-radius: 8px;
        box-shadow: 0 10px 30px rgb(16 24 40 / 16%);
        padding: 6px;
      }
      .panel input[type='search'] {
        width: 100%;
        margin-bottom: 6px;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        max-height: 220px;
        overflow: auto;
      }
      li {
        display: flex;
        align-items: center;
        gap: 8px;
        padding: 6px 8px;
        border-radius: 5px;
        cursor: pointer;
        font-size: 13px;
      }
      li[aria-selected='true'] {
        background: color-mix(in srgb, var(--_accent) 10%, transparent);
      }
      li.active {
        outline: 1px solid var(--_accent);
      }
      .hint {
        color: var(--_muted);
        font-size: 11px;
        margin-left: auto;
      }
      .status {
        color: var(--_muted);
        font-size: 12px;
        padding: 6px;
      }
      .foot {
        display: flex;
        justify-content: flex-end;
        gap: 6px;
        margin-top: 6px;
      }
    `,
  ]

  @property({ attribute: false }) options: PickerOption[] | (() => Promise<PickerOption[]>) = []
  @property({ attribute: false }) value: string | string[] | undefined
  @property({ type: Boolean }) multiple = false
  @property({ type: Boolean }) disabled = false
  @property() placeholder = 'Select'
  @property() label = ''
  @state() private loaded: PickerOption[] = []
  @state() private loading = false
  @state() private error = ''
  @state() private open = false
  @state() private search = ''
  @state() private active = 0
  private loadedFrom: unknown = null

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('options') && Array.isArray(this.options)) this.loaded = this.options
    // Options from the API load when first needed: opening the list, or labelling chosen values.
    const needed = this.open || this.selected.length > 0
    if (needed && typeof this.options === 'function' && this.options !== this.loadedFrom) void this.load()
  }

  private async load(): Promise<void> {
    const loader = this.options
    if (typeof loader !== 'function') return
    this.loadedFrom = loader
    this.loading = true
    this.error = ''
    try {
      this.loaded = await loader()
    } catch (err) {
      this.error = (err as Error).message
    } finally {
      this.loading = false
    }
  }

  private get selected(): string[] {
    if (this.value === undefined || this.value === '') return []
    return Array.isArray(this.value) ? this.value : [this.value]
  }

  private labelOf(value: string): string {
    return this.loaded.find((o) => o.value === value)?.label ?? value
  }

  override render() {
    const selected = this.selected
    const needle = this.search.toLowerCase()
    const visible = this.loaded.filter(
      (o) => !needle || o.label.toLowerCase().includes(needle) || o.value.toLowerCase().includes(needle)
    )
    return html`<button
        class="control"
        part="control"
        ?disabled=${this.disabled}
        aria-haspopup="listbox"
        aria-expanded=${this.open}
        aria-label=${this.label || this.placeholder}
        @click=${() => this.toggle()}
      >
        ${selected.length === 0 ? html`<span class="placeholder">${this.placeholder}</span>` : nothing}
        ${
          this.multiple
            ? selected.map(
                (v) => html`<span class="chip" data-value=${v}>${this.labelOf(v)}<button
                    aria-label="Remove ${this.labelOf(v)}"
                    @click=${(e: Event) => {
                      e.stopPropagation()
                      this.commit(selected.filter((s) => s !== v))
                    }}
                  >×</button></span>`
              )
            : selected.map((v) => html`<span>${this.labelOf(v)}</span>`)
        }
      </button>
      ${
        this.open
          ? html`<div class="panel" @keydown=${(e: KeyboardEvent) => this.onKey(e, visible)}>
              <input
                type="search"
                placeholder="Search"
                aria-label="Search ${this.label}"
                .value=${this.search}
                @input=${(e: Event) => {
                  this.search = (e.target as HTMLInputElement).value
                  this.active = 0
                }}
              />
              ${this.loading ? html`<div class="status">Loading…</div>` : nothing}
              ${this.error ? html`<div class="status error-text">${this.error}</div>` : nothing}
              ${!this.loading && !this.error && !visible.length ? html`<div class="status">Nothing to choose</div>` : nothing}
              <ul role="listbox" aria-multiselectable=${this.multiple}>
                ${visible.map(
                  (o, i) => html`<li
                    role="option"
                    data-value=${o.value}
                    class=${i === this.active ? 'active' : ''}
                    aria-selected=${selected.includes(o.value)}
                    @mousedown=${(e: Event) => e.preventDefault()}
                    @click=${() => this.choose(o.value)}
                  >
                    ${this.multiple ? html`<input type="checkbox" tabindex="-1" .checked=${selected.includes(o.value)} />` : nothing}
                    <span>${o.label}</span>${o.hint ? html`<span class="hint">${o.hint}</span>` : nothing}
                  </li>`
                )}
              </ul>
              ${
                this.multiple
                  ? html`<div class="foot">
                      <button @click=${() => this.commit(visible.map((o) => o.value))}>Select all</button>
                      <button class="primary" @click=${() => this.toggle(false)}>Apply</button>
                    </div>`
                  : nothing
              }
            </div>`
          : nothing
      }`
  }

  /** A press anywhere outside closes the list, as a native select does. */
  private readonly outside = (event: Event) => {
    if (!event.composedPath().includes(this)) this.toggle(false)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    document.removeEventListener('pointerdown', this.outside, true)
  }

  private toggle(open = !this.open): void {
    if (open) document.addEventListener('pointerdown', this.outside, true)
    else document.removeEventListener('pointerdown', this.outside, true)
    this.open = open
    this.search = ''
    this.active = 0
    if (open)
      void this.updateComplete.then(() =>
        this.renderRoot.querySelector<HTMLInputElement>('input[type=search]')?.focus()
      )
  }

  private onKey(event: KeyboardEvent, visible: PickerOption[]): void {
    if (event.key === 'ArrowDown') this.active = Math.min(visible.length - 1, this.active + 1)
    else if (event.key === 'ArrowUp') this.active = Math.max(0, this.active - 1)
    else if (event.key === 'Enter' && visible[this.active]) this.choose(visible[this.active]!.value)
    else if (event.key === 'Escape') this.toggle(false)
    else return
    event.preventDefault()
    event.stopPropagation()
  }

  private choose(value: string): void {
    if (!this.multiple) {
      this.commit(value)
      this.toggle(false)
      return
    }
    const selected = this.selected
    this.commit(selected.includes(value) ? selected.filter((v) => v !== value) : [...selected, value])
  }

  private commit(value: string | string[]): void {
    this.value = value
    this.dispatchEvent(new CustomEvent('picker-change', { detail: { value } }))
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'qflow-option-picker': QflowOptionPicker
  }
}
