import { css, html, LitElement, nothing, type PropertyValues } from 'lit'
import { customElement, property, query, state } from 'lit/decorators.js'
import type { NodeTypeDescription } from '../../../core/plugin/registry.ts'
import type { NodeCategory } from '../../../core/plugin/types.ts'
import { iconTemplate } from '../nodes/icons.ts'
import { dialogElementStyles } from './modal-styles.ts'

export const CATEGORY_LABELS: Record<NodeCategory, string> = {
  trigger: 'Triggers',
  aws: 'AWS Nodes',
  general: 'General Nodes',
  community: 'Community',
}
const ORDER: NodeCategory[] = ['trigger', 'aws', 'general', 'community']

/**
 * "Explore Nodes": node types by category, searchable, usable from the keyboard (type to search,
 * arrows to move, Enter to add, Esc to close).
 *
 * @fires palette-pick - detail `{type}`: the user chose a node type
 * @fires palette-close - the dialog closed without a choice
 */
@customElement('qflow-node-palette')
export class QflowNodePalette extends LitElement {
  static override styles = [
    ...dialogElementStyles,
    css`
      dialog {
        width: min(640px, 92vw);
      }
      .search {
        width: 100%;
        padding: 9px 12px;
        font-size: 14px;
      }
      .tabs {
        display: flex;
        gap: 6px;
        margin: 12px 0 4px;
        flex-wrap: wrap;
      }
      .tabs button[aria-selected='true'] {
        background: var(--_accent);
        color: var(--_accent-text);
        border-color: var(--_accent);
      }
      h3 {
        font-size: 11px;
        text-transform: uppercase;
        letter-spacing: 0.06em;
        color: var(--_muted);
        margin: 16px 0 6px;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 6px;
      }
      li {
        display: flex;
        gap: 12px;
        align-items: center;
        padding: 10px 12px;
        border: 1px solid var(--_border);
        border-radius: 8px;
        cursor: pointer;
      }
      li[aria-selected='true'] {
        border-color: var(--_accent);
        background: color-mix(in srgb, var(--_accent) 7%, transparent);
      }
      li[aria-disabled='true'] {
        opacity: 0.5;
        cursor: not-allowed;
      }
      .icon {
        width: 34px;
        height: 34px;
        border-radius: 8px;
        display: grid;
        place-items: center;
        color: var(--c);
        background: color-mix(in srgb, var(--c) 14%, transparent);
        flex: none;
      }
      .name {
        font-weight: 600;
        font-size: 14px;
      }
      .desc {
        font-size: 12px;
        color: var(--_muted);
        margin-top: 2px;
      }
      .empty {
        color: var(--_muted);
        padding: 24px 0;
        text-align: center;
      }
    `,
  ]

  @property({ attribute: false }) nodeTypes: NodeTypeDescription[] = []
  @property({ type: Boolean }) open = false
  /** Types that cannot be added now (e.g. a second trigger), with the reason shown. */
  @property({ attribute: false }) disabledTypes: Map<string, string> = new Map()
  @state() private search = ''
  @state() private category: NodeCategory | 'all' = 'all'
  @state() private active = 0
  @query('dialog') private dialog!: HTMLDialogElement
  @query('.search') private searchInput!: HTMLInputElement

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('open')) return
    if (this.open && !this.dialog.open) {
      this.search = ''
      this.active = 0
      this.dialog.showModal()
      this.searchInput.focus()
    } else if (!this.open && this.dialog.open) this.dialog.close()
  }

  private visible(): NodeTypeDescription[] {
    const needle = this.search.trim().toLowerCase()
    return this.nodeTypes
      .filter((t) => this.category === 'all' || t.category === this.category)
      .filter(
        (t) =>
          !needle ||
          t.title.toLowerCase().includes(needle) ||
          t.description.toLowerCase().includes(needle) ||
          t.type.toLowerCase().includes(needle)
      )
      .sort((a, b) => ORDER.indexOf(a.category) - ORDER.indexOf(b.category))
  }

  override render() {
    const list = this.visible()
    const active = this.usableIndex(list, Math.min(this.active, Math.max(0, list.length - 1)), 1)
    const groups = ORDER.map((c) => [c, list.filter((t) => t.category === c)] as const).filter(
      ([, l]) => l.length
    )
    return html`<dialog aria-label="Explore Nodes" @close=${this.onClose} @keydown=${(e: KeyboardEvent) => this.onKey(e, list)}>
      <div class="dialog-body">
        <header class="dialog-head">
          <h2>Explore Nodes</h2>
          <button class="close" aria-label="Close" @click=${() => this.dialog.close()}>×</button>
        </header>
        <div class="dialog-main">
          <input
            class="search"
            type="search"
            placeholder="Search nodes"
            aria-label="Search nodes"
            aria-controls="node-list"
            .value=${this.search}
            @input=${(e: Event) => {
              this.search = (e.target as HTMLInputElement).value
              this.active = 0
            }}
          />
          <div class="tabs" role="tablist">
            ${(['all', ...ORDER] as const).map(
              (c) => html`<button
                role="tab"
                aria-selected=${this.category === c}
                @click=${() => {
                  this.category = c
                  this.active = 0
                }}
              >${c === 'all' ? 'All' : CATEGORY_LABELS[c]}</button>`
            )}
          </div>
          <div id="node-list" role="listbox" aria-label="Node types">
            ${list.length === 0 ? html`<div class="empty">No node matches "${this.search}"</div>` : nothing}
            ${groups.map(
              ([category, types]) => html`<h3>${CATEGORY_LABELS[category]}</h3>
                <ul>
                  ${types.map((t) => {
                    const index = list.indexOf(t)
                    const disabled = this.disabledTypes.get(t.type)
                    return html`<li
                      role="option"
                      data-type=${t.type}
                      aria-selected=${index === active}
                      aria-disabled=${disabled ? 'true' : 'false'}
                      title=${disabled ?? t.description}
                      @mouseenter=${() => (this.active = index)}
                      @click=${() => this.pick(t)}
                    >
                      <span class="icon" style="--c:${t.color}">${iconTemplate(t.icon, 20)}</span>
                      <span>
                        <div class="name">${t.title}</div>
                        <div class="desc">${disabled ?? t.description}</div>
                      </span>
                    </li>`
                  })}
                </ul>`
            )}
          </div>
        </div>
      </div>
    </dialog>`
  }

  /** The nearest index from `from` (moving by `step`) whose type can be added; `from` if none can. */
  private usableIndex(list: NodeTypeDescription[], from: number, step: number): number {
    for (let i = 0; i < list.length; i++) {
      const index = (((from + i * step) % list.length) + list.length) % list.length
      if (!this.disabledTypes.has(list[index]!.type)) return index
    }
    return from
  }

  private onKey(event: KeyboardEvent, list: NodeTypeDescription[]): void {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      const step = event.key === 'ArrowDown' ? 1 : -1
      const current = this.usableIndex(list, Math.min(this.active, list.length - 1), 1)
      this.active = this.usableIndex(list, current + step, step)
      void this.updateComplete.then(() =>
        this.renderRoot.querySelector('li[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' })
      )
    } else if (event.key === 'Enter') {
      const type = list[this.usableIndex(list, Math.min(this.active, list.length - 1), 1)]
      if (type) {
        event.preventDefault()
        this.pick(type)
      }
    }
  }

  private pick(type: NodeTypeDescription): void {
    if (this.disabledTypes.has(type.type)) return
    this.dispatchEvent(new CustomEvent('palette-pick', { detail: { type } }))
    this.dialog.close()
  }

  private onClose = (): void => {
    this.open = false
    this.dispatchEvent(new CustomEvent('palette-close'))
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'qflow-node-palette': QflowNodePalette
  }
}
