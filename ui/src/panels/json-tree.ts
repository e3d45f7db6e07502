import { css, html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { themeTokens } from '../theme.ts'

const PAGE = 100
const LONG_TEXT = 400

/**
 * A collapsible JSON tree that stays fast on large values: children render only when their parent
 * is open, long arrays and objects show a page at a time, long strings are cut with a "more" link.
 */
@customElement('qflow-json-tree')
export class QflowJsonTree extends LitElement {
  static override styles = [
    themeTokens,
    css`
      :host {
        display: block;
        font-family: var(--_mono);
        font-size: 12px;
        line-height: 1.55;
        color: var(--_text);
      }
      ul {
        list-style: none;
        margin: 0;
        padding-left: 16px;
      }
      :host > ul {
        padding-left: 0;
      }
      .toggle {
        border: none;
        background: none;
        padding: 0 4px 0 0;
        font: inherit;
        color: var(--_muted);
        cursor: pointer;
        width: 16px;
      }
      .key {
        color: #7c3aed;
      }
      .str {
        color: #047857;
        word-break: break-word;
      }
      .num {
        color: #1d4ed8;
      }
      .bool,
      .null {
        color: #b45309;
      }
      .meta {
        color: var(--_muted);
      }
      .more {
        border: none;
        background: none;
        color: var(--_accent);
        font: inherit;
        cursor: pointer;
        padding: 0;
        text-decoration: underline;
      }
    `,
  ]

  @property({ attribute: false }) value: unknown
  /** Depth opened at first render. */
  @property({ type: Number }) openDepth = 1
  @state() private open = new Set<string>()
  @state() private shown = new Map<string, number>()
  @state() private fullText = new Set<string>()
  private initialised = false

  override willUpdate(changed: PropertyValues<this>): void {
    // A different value starts from its own first levels open.
    if (changed.has('value')) this.initialised = false
    if (this.initialised) return
    this.initialised = true
    this.open = new Set()
    this.shown = new Map()
    this.fullText = new Set()
    const walk = (value: unknown, path: string, depth: number) => {
      if (depth >= this.openDepth || !value || typeof value !== 'object') return
      this.open.add(path)
      const entries = Array.isArray(value)
        ? value.slice(0, 5).map((v, i) => [String(i), v] as const)
        : Object.entries(value).slice(0, 20)
      for (const [k, v] of entries) walk(v, `${path}/${k}`, depth + 1)
    }
    walk(this.value, '', 0)
  }

  override render() {
    return html`<ul role="tree">${this.renderEntry(null, this.value, '')}</ul>`
  }

  private toggle(path: string): void {
    const open = new Set(this.open)
    if (open.has(path)) open.delete(path)
    else open.add(path)
    this.open = open
  }

  private renderEntry(key: string | null, value: unknown, path: string): TemplateResult {
    const label = key === null ? nothing : html`<span class="key">${key}</span>: `
    if (value === null || typeof value !== 'object')
      return html`<li role="treeitem">${label}${this.renderScalar(value, path)}</li>`
    const isArray = Array.isArray(value)
    const size = isArray ? value.length : Object.keys(value).length
    const open = this.open.has(path)
    const brackets = isArray ? ['[', ']'] : ['{', '}']
    const summary = html`<span class="meta">${brackets[0]}${open ? '' : ` ${size} ${isArray ? (size === 1 ? 'item' : 'items') : size === 1 ? 'key' : 'keys'} ${brackets[1]}`}</span>`
    return html`<li role="treeitem" aria-expanded=${open}>
      <button class="toggle" aria-label="${open ? 'Collapse' : 'Expand'} ${key ?? 'root'}" @click=${() => this.toggle(path)}>${open ? '▾' : '▸'}</button>${label}${summary}
      ${open ? html`${this.renderChildren(value, path, isArray, size)}<span class="meta">${brackets[1]}</span>` : nothing}
    </li>`
  }

  private renderChildren(value: object, path: string, isArray: boolean, size: number): TemplateResult {
    const limit = this.shown.get(path) ?? PAGE
    const entries: [string, unknown][] = isArray
      ? (value as unknown[]).slice(0, limit).map((v, i) => [String(i), v])
      : Object.entries(value).slice(0, limit)
    return html`<ul role="group">
      ${entries.map(([k, v]) => this.renderEntry(k, v, `${path}/${k}`))}
      ${
        size > limit
          ? html`<li><button class="more" @click=${() => (this.shown = new Map(this.shown).set(path, limit + PAGE))}>Show ${Math.min(PAGE, size - limit)} more (${size - limit} hidden)</button></li>`
          : nothing
      }
    </ul>`
  }

  private renderScalar(value: unknown, path: string): TemplateResult {
    if (typeof value === 'string') {
      const cut = value.length > LONG_TEXT && !this.fullText.has(path)
      return html`<span class="str">"${cut ? value.slice(0, LONG_TEXT) : value}${cut ? '…' : ''}"</span>${
        cut
          ? html` <button class="more" @click=${() => (this.fullText = new Set(this.fullText).add(path))}>more (${value.length} chars)</button>`
          : nothing
      }`
    }
    if (typeof value === 'number') return html`<span class="num">${value}</span>`
    if (typeof value === 'boolean') return html`<span class="bool">${String(value)}</span>`
    return html`<span class="null">${value === null ? 'null' : String(value)}</span>`
  }
}

/** Bytes as people read them: 812 B, 14.2 KB, 3.1 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

declare global {
  interface HTMLElementTagNameMap {
    'qflow-json-tree': QflowJsonTree
  }
}
