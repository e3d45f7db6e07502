import { css, html, LitElement, nothing } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { keyIsAccepted } from '../api/key-check.ts'
import { controlStyles, themeTokens } from '../theme.ts'

/**
 * Asks for another API key after the server refused this one (revoked or unknown) on a save. It
 * sits in the editor, so the unsaved edits stay where they are; the key is checked before it is
 * offered, so a mistyped one is said here rather than refused again.
 *
 * @fires key-accept - detail `{key}`: a key the server accepts
 * @fires key-dismiss - the user closed the prompt
 */
@customElement('qflow-key-retry')
export class QflowKeyRetry extends LitElement {
  static override styles = [
    themeTokens,
    controlStyles,
    css`
      form {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px;
        padding: 8px 12px;
        border-top: 1px solid var(--_border);
        background: color-mix(in srgb, var(--_danger) 8%, var(--_surface));
        font-size: 13px;
      }
      input {
        min-width: 220px;
      }
      .error-text {
        flex-basis: 100%;
      }
    `,
  ]

  @property({ attribute: false }) apiBase = ''
  @state() private refused = false
  @state() private checking = false
  @state() private failure = ''

  override render() {
    return html`<form data-key-retry @submit=${this.submit}>
      <span>The server refused this tab's API key (revoked or unknown). Your changes are kept: enter a key to save them.</span>
      <input type="password" name="key" autocomplete="off" aria-label="New API key" placeholder="qflow API key" required />
      <button class="primary" type="submit" ?disabled=${this.checking}>${this.checking ? 'Checking…' : 'Use key and save'}</button>
      <button type="button" data-action="dismiss" @click=${() => this.dispatchEvent(new CustomEvent('key-dismiss'))}>Not now</button>
      ${this.refused ? html`<span class="error-text" role="alert">That key was refused. Check it and try again.</span>` : nothing}
      ${this.failure ? html`<span class="error-text" role="alert">${this.failure}</span>` : nothing}
    </form>`
  }

  private submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    const input = (e.target as HTMLFormElement).querySelector('input')!
    const key = input.value.trim()
    if (!key || this.checking) return
    this.checking = true
    this.failure = ''
    try {
      this.refused = !(await keyIsAccepted(this.apiBase, key))
      if (!this.refused) this.dispatchEvent(new CustomEvent('key-accept', { detail: { key } }))
    } catch (err) {
      this.failure = (err as Error).message
    } finally {
      this.checking = false
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'qflow-key-retry': QflowKeyRetry
  }
}
