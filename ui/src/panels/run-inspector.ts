import { css, html, LitElement, nothing, type PropertyValues } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { NO_NAME, shownName } from '../../../plugins/totalcloud-control/display-name.ts'
import type { QflowClient, StepRecord } from '../api/client.ts'
import { controlStyles, themeTokens } from '../theme.ts'
import { formatBytes } from './json-tree.ts'
import './json-tree.ts'
import { panelStyles } from './panel-styles.ts'

interface ResultRow {
  resourceId?: string
  displayName?: string | null
  result?: string
  region?: string | null
  accountId?: string | null
}

/**
 * Execution details of one node in one run: status, timings, error, and its input and output as
 * JSON trees. The full output is fetched only when shown; its size is displayed, and it can be
 * copied or downloaded. Control results get a PASS / FAIL table on top.
 *
 * @fires panel-close
 */
@customElement('qflow-run-inspector')
export class QflowRunInspector extends LitElement {
  static override styles = [
    themeTokens,
    controlStyles,
    panelStyles,
    css`
      .tabs {
        display: flex;
        gap: 4px;
        margin: 10px 0;
      }
      .tabs button[aria-selected='true'] {
        background: var(--_accent);
        color: var(--_accent-text);
        border-color: var(--_accent);
      }
      .facts {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 4px 12px;
        font-size: 12px;
      }
      .facts dt {
        color: var(--_muted);
      }
      .facts dd {
        margin: 0;
      }
      .tools {
        display: flex;
        gap: 6px;
        align-items: center;
        margin-bottom: 8px;
      }
      .tools .size {
        margin-right: auto;
        font-size: 12px;
        color: var(--_muted);
      }
      table {
        width: 100%;
        border-collapse: collapse;
        font-size: 12px;
        margin-bottom: 12px;
      }
      th,
      td {
        text-align: left;
        padding: 5px 6px;
        border-bottom: 1px solid var(--_border);
      }
      th {
        color: var(--_muted);
        font-weight: 600;
      }
      td:nth-child(3),
      td:nth-child(4) {
        white-space: nowrap;
      }
      .error-box {
        border: 1px solid var(--_danger);
        background: color-mix(in srgb, var(--_danger) 6%, transparent);
        border-radius: 6px;
        padding: 8px;
        font-size: 12px;
        margin-top: 10px;
        white-space: pre-wrap;
      }
    `,
  ]

  @property({ attribute: false }) client: QflowClient | null = null
  @property() runId = ''
  @property() nodeId = ''
  @property() nodeLabel = ''
  @property({ attribute: false }) step: StepRecord | null = null
  @state() private tab: 'output' | 'input' = 'output'
  @state() private payload: { output?: unknown; input?: unknown } = {}
  @state() private bytes: { output?: number; input?: number } = {}
  @state() private loading = false
  @state() private error = ''
  @state() private copied = false
  private loadedFor = ''

  protected override willUpdate(changed: PropertyValues<this>): void {
    const key = `${this.runId}/${this.nodeId}/${this.step?.status ?? ''}`
    if ((changed.has('runId') || changed.has('nodeId') || changed.has('step')) && key !== this.loadedFor) {
      this.loadedFor = key
      this.payload = {}
      this.bytes = {}
      this.error = ''
      void this.load(this.tab)
    }
  }

  /** Fetch one side of the step in full, only when its tab is shown. */
  private async load(side: 'output' | 'input'): Promise<void> {
    const step = this.step
    if (
      !this.client ||
      !this.runId ||
      !this.nodeId ||
      !step ||
      step.status === 'pending' ||
      step.status === 'running'
    )
      return
    if (this.payload[side] !== undefined) return
    this.loading = true
    try {
      const fetched =
        side === 'output'
          ? await this.client.stepOutput(this.runId, this.nodeId)
          : await this.client.stepInput(this.runId, this.nodeId)
      this.payload = { ...this.payload, [side]: fetched.output }
      this.bytes = { ...this.bytes, [side]: fetched.bytes }
    } catch (err) {
      this.error = (err as Error).message
    } finally {
      this.loading = false
    }
  }

  override render() {
    const step = this.step
    return html`<header>
        <h2>Execution details · ${this.nodeLabel || this.nodeId}</h2>
        <button class="close" aria-label="Close execution details" @click=${() => this.dispatchEvent(new CustomEvent('panel-close'))}>×</button>
      </header>
      <div class="body">
        ${
          !step
            ? html`<p class="muted">This node has not run yet. Use Run Now, or Run till here from the node's menu.</p>`
            : html`<dl class="facts">
                  <dt>Status</dt><dd><span class="badge ${step.status}" data-status=${step.status}>${step.status}</span></dd>
                  <dt>Items</dt><dd>${step.inputCount ?? 0} in · ${step.outputCount ?? 0} out${portCounts(step.outputCounts)}</dd>
                  ${step.startedAt ? html`<dt>Started</dt><dd>${new Date(step.startedAt).toLocaleString()}</dd>` : nothing}
                  ${step.startedAt && step.finishedAt ? html`<dt>Took</dt><dd>${Math.max(0, new Date(step.finishedAt).getTime() - new Date(step.startedAt).getTime())} ms</dd>` : nothing}
                </dl>
                ${step.error ? html`<div class="error-box" role="alert">${step.error.message}</div>` : nothing}
                <div class="tabs" role="tablist">
                  ${(['output', 'input'] as const).map(
                    (side) =>
                      html`<button role="tab" data-tab=${side} aria-selected=${this.tab === side} @click=${() => {
                        this.tab = side
                        void this.load(side)
                      }}>${side === 'output' ? 'Output' : 'Input'}</button>`
                  )}
                </div>
                ${this.renderSide(this.tab)}`
        }
      </div>`
  }

  private renderSide(side: 'output' | 'input') {
    if (this.loading) return html`<p class="muted">Loading ${side}…</p>`
    if (this.error) return html`<p class="error-text">${this.error}</p>`
    const value = this.payload[side]
    if (value === undefined) return html`<p class="muted">No ${side} yet.</p>`
    const results = side === 'output' ? (value as { results?: ResultRow[] })?.results : undefined
    return html`${Array.isArray(results) && results.length ? this.renderResults(results) : nothing}${this.renderValue(value, side, this.bytes[side])}`
  }

  private renderResults(results: ResultRow[]) {
    const failed = results.filter((r) => r.result === 'FAIL').length
    return html`<p class="muted">${results.length} resources · ${failed} failed</p>
      <table class="results">
        <thead><tr><th>Resource</th><th>Name</th><th>Region</th><th>Result</th></tr></thead>
        <tbody>${results
          .slice(0, 200)
          .map(
            (r) =>
              html`<tr data-resource=${r.resourceId ?? ''}><td>${r.resourceId}</td><td>${shownName(r)}</td><td>${r.region || NO_NAME}</td><td><span class="badge ${r.result}">${r.result}</span></td></tr>`
          )}</tbody>
      </table>`
  }

  private renderValue(value: unknown, what: string, bytes?: number) {
    if (value === undefined || value === null) return html`<p class="muted">No ${what}.</p>`
    const text = () => JSON.stringify(value, null, 2)
    const size = bytes ?? new Blob([JSON.stringify(value)]).size
    return html`<div class="tools">
        <span class="size" data-size=${size}>${what} · ${formatBytes(size)}</span>
        <button data-action="copy" @click=${async () => {
          await copyText(text())
          this.copied = true
          setTimeout(() => (this.copied = false), 1500)
        }}>${this.copied ? 'Copied' : 'Copy'}</button>
        <button data-action="download" @click=${() => download(`${this.nodeId}-${what.replace(/\W+/g, '-')}-${this.runId}.json`, text())}>Download</button>
      </div>
      <qflow-json-tree .value=${value} .openDepth=${2}></qflow-json-tree>`
  }
}

function portCounts(counts: Record<string, number> | undefined): string {
  const entries = Object.entries(counts ?? {})
  return entries.length > 1 ? ` (${entries.map(([port, n]) => `${port} ${n}`).join(', ')})` : ''
}

export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text)
  } catch {
    // Clipboard API refused (insecure origin or no permission): the selection fallback still works.
    const area = document.createElement('textarea')
    area.value = text
    document.body.append(area)
    area.select()
    document.execCommand('copy')
    area.remove()
  }
}

export function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

declare global {
  interface HTMLElementTagNameMap {
    'qflow-run-inspector': QflowRunInspector
  }
}
