import { css, html, LitElement } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import { controlStyles, themeTokens } from '../../theme.ts'

/**
 * A list of key paths (evidence keys): chips for the chosen ones, and the keys seen in the node's
 * last run offered as one-click suggestions, plus free entry for keys not seen yet.
 *
 * @fires keys-change - detail `{value}`: the new list
 */
@customElement('qflow-key-list')
export class QflowKeyList extends LitElement {
  static override styles = [
    themeTokens,
    controlStyles,
    css`
      :host {
        display: grid;
        gap: 6px;
      }
      .chips,
      .suggest {
        display: flex;
        flex-wrap: wrap;
        gap: 4px;
      }
      .chip button {
        border: none;
        background: none;
        padding: 0 2px;
        line-height: 1;
      }
      .suggest button {
        padding: 1px 8px;
        font-size: 12px;
        border-radius: 999px;
        font-family: var(--_mono);
      }
      .hint {
        font-size: 11px;
        color: var(--_muted);
      }
      .chip {
        font-family: var(--_mono);
      }
      input {
        width: 100%;
      }
    `,
  ]

  @property({ attribute: false }) value: string[] = []
  @property({ attribute: false }) keys: string[] = []
  @property({ type: Boolean }) readonly = false

  override render() {
    const chosen = this.value ?? []
    const offered = this.keys.filter((k) => !chosen.includes(k)).slice(0, 60)
    return html`<div class="chips">
        ${chosen.length ? chosen.map((k) => html`<span class="chip" data-key=${k}>${k}${this.readonly ? '' : html`<button aria-label="Remove ${k}" @click=${() => this.commit(chosen.filter((c) => c !== k))}>×</button>`}</span>`) : html`<span class="hint">No keys chosen</span>`}
      </div>
      ${
        this.readonly
          ? ''
          : html`<input
              type="text"
              placeholder="Type a key path and press Enter"
              aria-label="Add a key path"
              @keydown=${(e: KeyboardEvent) => {
                const input = e.target as HTMLInputElement
                if (e.key === 'Enter' && input.value.trim()) {
                  e.preventDefault()
                  this.commit([...chosen, input.value.trim()])
                  input.value = ''
                }
              }}
            />
            ${
              offered.length
                ? html`<span class="hint">Available keys (from the last run):</span>
                    <div class="suggest">${offered.map((k) => html`<button data-suggest=${k} @click=${() => this.commit([...chosen, k])}>${k}</button>`)}</div>`
                : html`<span class="hint">Run till the node before this one (its menu, Run till here) to see the available keys.</span>`
            }`
      }`
  }

  private commit(value: string[]): void {
    this.value = [...new Set(value)]
    this.dispatchEvent(new CustomEvent('keys-change', { detail: { value: this.value } }))
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'qflow-key-list': QflowKeyList
  }
}
