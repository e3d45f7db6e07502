import { css, html, LitElement, nothing } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import type { RunRecord } from '../api/client.ts'
import { controlStyles, themeTokens } from '../theme.ts'
import { panelStyles } from './panel-styles.ts'
import { copyText } from './run-inspector.ts'

/**
 * Run ids are time-ordered UUIDs (v7): runs started close together share their first characters,
 * while the last 8 are random, so those tell a flow's runs apart at a glance.
 */
export const shortRunId = (id: string): string => `…${id.replace(/-/g, '').slice(-8)}`

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
      li {
        display: flex;
        gap: 4px;
        align-items: stretch;
      }
      li .open {
        flex: 1;
        min-width: 0;
        text-align: left;
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 2px 8px;
      }
      li .copy {
        flex: none;
        padding: 0 8px;
        font-size: 11px;
      }
      /* The status and "partial" share the row's second cell, so "partial" stays a small inline badge. */
      .badges {
        display: flex;
        gap: 4px;
        justify-content: flex-end;
        align-items: center;
      }
      .run-id {
        font-family: ui-monospace, monospace;
      }
      li .open[aria-current='true'] {
        border-color: var(--_accent);
        box-shadow: 0 0 0 1px var(--_accent);
      }
    `,
  ]

  @property({ attribute: false }) runs: RunRecord[] = []
  @property() currentRunId = ''
  @property({ type: Boolean }) loading = false
  /** A node's name as the user knows it (its label), for "till <node>". */
  @property({ attribute: false }) nodeLabel: (nodeId: string) => string = (id) => id
  /** The run whose id was just copied, for a moment's "Copied". */
  @state() private copied = ''

  override render() {
    return html`<header>
        <h2>Run history</h2>
        <button class="close" aria-label="Close run history" @click=${() => this.dispatchEvent(new CustomEvent('panel-close'))}>×</button>
      </header>
      <div class="body">
        ${this.loading ? html`<p class="muted">Loading…</p>` : nothing}
        ${!this.loading && !this.runs.length ? html`<p class="muted">No runs yet.</p>` : nothing}
        <ul>
          ${this.runs.map((run) => {
            const short = shortRunId(run.id)
            return html`<li>
              <button class="open" data-run=${run.id} title="Run ${run.id}" aria-current=${run.id === this.currentRunId}
                @click=${() => this.dispatchEvent(new CustomEvent('run-open', { detail: { runId: run.id } }))}>
                <span>${when(run)}</span><span class="badges"><span class="badge ${run.status}">${run.status}</span>${run.partial ? PARTIAL_BADGE : nothing}</span>
                <span class="muted">${run.until ? `till ${this.nodeLabel(run.until)}` : 'whole flow'}${duration(run)}</span><span class="muted run-id">${short}</span>
              </button>
              <button class="copy" data-action="copy-run-id" title="Copy the full run id: ${run.id}" aria-label="Copy run id ${short}"
                @click=${() => this.copyId(run.id)}>${this.copied === run.id ? 'Copied' : 'Copy id'}</button>
            </li>`
          })}
        </ul>
      </div>`
  }

  private async copyId(id: string): Promise<void> {
    await copyText(id)
    this.copied = id
    setTimeout(() => {
      if (this.copied === id) this.copied = ''
    }, 1500)
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

/** Beside `succeeded`: a node's work partly failed (e.g. one region), so the run is worth a look. */
const PARTIAL_BADGE = html`<span class="badge partial" data-run-partial title="A node ended partial: some of its work failed (e.g. one region)">partial</span>`
