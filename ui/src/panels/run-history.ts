import { css, html, LitElement, nothing } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import type { RunRecord } from '../api/client.ts'
import { controlStyles, themeTokens } from '../theme.ts'
import { panelStyles } from './panel-styles.ts'

/**
 * The flow's runs, newest first. Choosing one shows its statuses on the canvas.
 *
 * @fires run-open - detail `{runId}`
 * @fires panel-close
 */
@customElement('qflow-run-history')
export class QflowRunHistory extends LitElement {
  static override styles = [
    themeTokens,
    controlStyles,
    panelStyles,
    css`
      ul {
        list-style: none;
        padding: 0;
        margin: 0;
        display: grid;
        gap: 6px;
      }
      li button {
        width: 100%;
        text-align: left;
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 2px 8px;
      }
      li button[aria-current='true'] {
        border-color: var(--_accent);
        box-shadow: 0 0 0 1px var(--_accent);
      }
    `,
  ]

  @property({ attribute: false }) runs: RunRecord[] = []
  @property() currentRunId = ''
  @property({ type: Boolean }) loading = false

  override render() {
    return html`<header>
        <h2>Run history</h2>
        <button class="close" aria-label="Close run history" @click=${() => this.dispatchEvent(new CustomEvent('panel-close'))}>×</button>
      </header>
      <div class="body">
        ${this.loading ? html`<p class="muted">Loading…</p>` : nothing}
        ${!this.loading && !this.runs.length ? html`<p class="muted">No runs yet.</p>` : nothing}
        <ul>
          ${this.runs.map(
            (
              run
            ) => html`<li><button data-run=${run.id} aria-current=${run.id === this.currentRunId} @click=${() => this.dispatchEvent(new CustomEvent('run-open', { detail: { runId: run.id } }))}>
              <span>${when(run)}</span><span class="badge ${run.status}">${run.status}</span>
              <span class="muted">${run.until ? `till ${run.until}` : 'whole flow'}${duration(run)}</span><span class="muted">${run.id.slice(0, 10)}</span>
            </button></li>`
          )}
        </ul>
      </div>`
  }
}

function when(run: RunRecord): string {
  const at = run.startedAt ?? run.createdAt
  return at ? new Date(at).toLocaleString() : 'queued'
}

function duration(run: RunRecord): string {
  if (!run.startedAt || !run.finishedAt) return ''
  const ms = new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime()
  return ` · ${ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`}`
}

declare global {
  interface HTMLElementTagNameMap {
    'qflow-run-history': QflowRunHistory
  }
}
