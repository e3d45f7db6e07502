import { css, html, LitElement, nothing, type PropertyValues } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { outputCountParts } from '../../../core/run/port-counts.ts'
import { NO_NAME, shownName } from '../../../plugins/totalcloud-control/display-name.ts'
import {
  type ResultLine,
  verdictRank,
  verdictReason,
} from '../../../plugins/totalcloud-control/verdict-reasons.ts'
import type { QflowClient, StepRecord } from '../api/client.ts'
import { controlStyles, themeTokens } from '../theme.ts'
import { formatBytes } from './json-tree.ts'
import './json-tree.ts'
import { panelStyles } from './panel-styles.ts'

/** Items fetched per port and page; a control's results get a larger first page for its table. */
const PAGE = 100
const RESULTS_PAGE = 1000

/** What is shown of one side (input or output) of a step: a page per port, and what it leaves out. */
interface Shown {
  items: Record<string, unknown[]>
  totals: Record<string, number>
  bytes: number
}

/**
 * Execution details of one node in one run: status, timings, error, and its input and output as
 * JSON trees. Outputs are fetched a page per port when shown (a large one is never downloaded
 * whole just to be looked at); the whole size and item counts are displayed, more pages load on
 * request, and the whole payload is fetched only to copy or download it. Control results get a
 * PASS / FAIL / ERROR table on top, with why each verdict was given.
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
      /* Resource ids (orders-db-0) break after a hyphen otherwise; long ARNs scroll with the table. */
      td:nth-child(1),
      td:nth-child(3),
      td:nth-child(4) {
        white-space: nowrap;
      }
      /* The table keeps each column readable and scrolls sideways in a narrow panel. */
      .results-scroll {
        overflow-x: auto;
        margin-bottom: 12px;
      }
      .results-scroll table {
        margin-bottom: 0;
      }
      /* Why names security groups and rules: room for whole ids, broken only if one alone is wider. */
      td.why {
        font-size: 11px;
        color: var(--_muted);
        min-width: 220px;
        overflow-wrap: break-word;
      }
      td.why .id {
        white-space: nowrap;
      }
      button.more {
        margin-top: 8px;
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
      .error-box.cancelled {
        border-color: var(--_border);
        background: var(--_surface-2);
        color: var(--_muted);
      }
    `,
  ]

  @property({ attribute: false }) client: QflowClient | null = null
  @property() runId = ''
  @property() nodeId = ''
  @property() nodeLabel = ''
  @property({ attribute: false }) step: StepRecord | null = null
  /** The node type's output ports: per-port counts follow their order and labels. */
  @property({ attribute: false }) outputs: readonly { name: string; label?: string }[] = []
  @state() private tab: 'output' | 'input' = 'output'
  @state() private shown: { output?: Shown; input?: Shown } = {}
  @state() private loading = false
  @state() private error = ''
  @state() private copied = false
  private loadedFor = ''

  protected override willUpdate(changed: PropertyValues<this>): void {
    const key = `${this.runId}/${this.nodeId}/${this.step?.status ?? ''}`
    if ((changed.has('runId') || changed.has('nodeId') || changed.has('step')) && key !== this.loadedFor) {
      this.loadedFor = key
      this.shown = {}
      this.error = ''
      void this.load(this.tab)
    }
  }

  /** Fetch the first page of each port of one side of the step, only when its tab is shown. */
  private async load(side: 'output' | 'input'): Promise<void> {
    const step = this.step
    const client = this.client
    if (
      !client ||
      !this.runId ||
      !this.nodeId ||
      !step ||
      step.status === 'pending' ||
      step.status === 'running'
    )
      return
    if (this.shown[side] !== undefined) return
    const { runId, nodeId } = this
    this.loading = true
    try {
      const first = await client.stepPage(runId, nodeId, side, { limit: PAGE })
      // Each port's first page, kept in the payload's port order.
      const pages = await Promise.all(
        Object.keys(first.ports).map(async (port) => {
          const limit = port === 'results' ? RESULTS_PAGE : PAGE
          if (port === first.port && (limit === PAGE || first.total <= PAGE))
            return [port, first.items] as const
          return [port, (await client.stepPage(runId, nodeId, side, { port, limit })).items] as const
        })
      )
      const shown: Shown = {
        items: Object.fromEntries(pages),
        totals: { ...first.ports },
        bytes: first.bytes,
      }
      if (runId === this.runId && nodeId === this.nodeId) this.shown = { ...this.shown, [side]: shown }
    } catch (err) {
      this.error = (err as Error).message
    } finally {
      this.loading = false
    }
  }

  /** The next page of one port. */
  private async more(side: 'output' | 'input', port: string): Promise<void> {
    const shown = this.shown[side]
    if (!shown || !this.client) return
    const have = shown.items[port] ?? []
    try {
      const page = await this.client.stepPage(this.runId, this.nodeId, side, {
        port,
        offset: have.length,
        limit: PAGE * 5,
      })
      this.shown = {
        ...this.shown,
        [side]: { ...shown, items: { ...shown.items, [port]: [...have, ...page.items] } },
      }
    } catch (err) {
      this.error = (err as Error).message
    }
  }

  /** The whole payload, fetched only for copying or downloading it. */
  private async whole(side: 'output' | 'input'): Promise<string> {
    const fetched =
      side === 'output'
        ? await this.client!.stepOutput(this.runId, this.nodeId)
        : await this.client!.stepInput(this.runId, this.nodeId)
    return JSON.stringify(fetched.output, null, 2)
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
                  <dt>Items</dt><dd data-items>${[`${step.inputCount ?? 0} in`, ...outputCountParts(step.outputCount ?? 0, step.outputCounts, this.outputs)].join(' · ')}</dd>
                  ${step.startedAt ? html`<dt>Started</dt><dd>${new Date(step.startedAt).toLocaleString()}</dd>` : nothing}
                  ${step.startedAt && step.finishedAt ? html`<dt>Took</dt><dd>${Math.max(0, new Date(step.finishedAt).getTime() - new Date(step.startedAt).getTime())} ms</dd>` : nothing}
                </dl>
                ${
                  step.status === 'cancelled'
                    ? html`<div class="error-box cancelled" role="status">${step.error?.message ?? 'the run was cancelled'}</div>`
                    : step.error
                      ? html`<div class="error-box" role="alert">${step.error.message}</div>`
                      : nothing
                }
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
    const shown = this.shown[side]
    if (shown === undefined) return html`<p class="muted">No ${side} yet.</p>`
    const results = side === 'output' ? (shown.items.results as ResultLine[] | undefined) : undefined
    return html`${results?.length ? this.renderResults(results, shown.totals.results ?? results.length) : nothing}${this.renderValue(shown, side)}`
  }

  private renderResults(results: ResultLine[], total: number) {
    const count = (verdict: string) => results.filter((r) => r.result === verdict).length
    const partial = total > results.length ? ` (of the first ${results.length} of ${total})` : ''
    const rows = [...results].sort((a, b) => verdictRank(a.result) - verdictRank(b.result))
    return html`<p class="muted" data-counts>${total} resources · ${count('FAIL')} FAIL · ${count('ERROR')} ERROR · ${count('PASS')} PASS${partial}</p>
      <div class="results-scroll"><table class="results">
        <thead><tr><th>Resource</th><th>Name</th><th>Region</th><th>Result</th><th>Why</th></tr></thead>
        <tbody>${rows.slice(0, 200).map((r) => {
          const why = verdictReason(r)
          return html`<tr data-resource=${r.resourceId ?? ''}><td>${r.resourceId}</td><td>${shownName(r)}</td><td>${r.region || NO_NAME}</td><td><span class="badge ${r.result}">${r.result}</span></td><td class="why" title=${why}>${why ? keepIdsWhole(why) : NO_NAME}</td></tr>`
        })}</tbody>
      </table></div>`
  }

  private renderValue(shown: Shown, what: 'output' | 'input') {
    const ports = Object.keys(shown.totals)
    if (!ports.length) return html`<p class="muted">No ${what}.</p>`
    const total = ports.reduce((sum, p) => sum + (shown.totals[p] ?? 0), 0)
    const loaded = ports.reduce((sum, p) => sum + (shown.items[p]?.length ?? 0), 0)
    return html`<div class="tools">
        <span class="size" data-size=${shown.bytes}>${what} · ${formatBytes(shown.bytes)}${loaded < total ? html` · <span data-shown>showing ${loaded} of ${total} items</span>` : nothing}</span>
        <button data-action="copy" title="Copy the whole ${what}" @click=${async () => {
          await copyText(await this.whole(what))
          this.copied = true
          setTimeout(() => (this.copied = false), 1500)
        }}>${this.copied ? 'Copied' : 'Copy'}</button>
        <button data-action="download" title="Download the whole ${what}" @click=${async () => download(`${this.nodeId}-${what}-${this.runId}.json`, await this.whole(what))}>Download</button>
      </div>
      <qflow-json-tree .value=${shown.items} .openDepth=${2}></qflow-json-tree>
      ${ports
        .filter((p) => (shown.items[p]?.length ?? 0) < (shown.totals[p] ?? 0))
        .map(
          (p) =>
            html`<button class="more" data-action="more" data-port=${p} @click=${() => this.more(what, p)}>Show more of ${p} (${shown.items[p]?.length ?? 0} of ${shown.totals[p]})</button>`
        )}`
  }
}

/** AWS ids (sg-0a1b…, pl-…, vpc-…): Chromium breaks lines after a hyphen, which split them in two. */
const AWS_ID = /\b([a-z]{1,8}-[0-9a-f]{6,})\b/

function keepIdsWhole(text: string) {
  return text.split(AWS_ID).map((part, i) => (i % 2 ? html`<span class="id">${part}</span>` : part))
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
