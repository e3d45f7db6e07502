import { html, nothing } from 'lit'
import type { Flow } from '../../../core/flow/schema.ts'
import type { FlowSession } from './flow-session.ts'

/**
 * The editor's top bar and its overflow menu, rendered from a plain view of the editor's state.
 * The buttons only call back: what they do (save, deploy, run…) is the editor's business.
 * Rendered into the editor's own shadow root, so `part` and `data-action` stay where hosts and
 * tests find them.
 */
export interface ToolbarView {
  flow: Flow | null
  readonly: boolean
  /** The last load failed: the name button says so instead of "Loading…". */
  loadFailed: boolean
  session: Pick<FlowSession, 'dirty' | 'isNew' | 'saving' | 'canUndo' | 'canRedo'>
  historyOpen: boolean
  runActive: boolean
  moreOpen: boolean
  onDetails(): void
  onAddNode(): void
  onUndo(): void
  onRedo(): void
  onFit(): void
  onHistory(): void
  onDeploy(): void
  onSave(): void
  onRun(): void
  onStop(): void
  onMoreOpen(open: boolean): void
}

export function renderToolbar(v: ToolbarView) {
  const { flow, readonly: ro } = v
  const binding = flow
    ? `${plural(flow.accounts.length, 'account')} · ${plural(flow.regions.length, 'region')}`
    : ''
  return html`<div class="toolbar" part="toolbar" role="toolbar" aria-label="QFlow editor">
      <button class="name" data-action="details" title="QFlow details" ?disabled=${!flow} @click=${v.onDetails}>
        <span>${flow?.name ?? (v.loadFailed ? 'Not loaded' : 'Loading…')}</span>
        ${v.session.dirty ? html`<span class="dirty" role="status" aria-label="Unsaved changes" title="Unsaved changes"></span>` : nothing}
      </button>
      <span class="binding" title="Accounts and regions this QFlow runs on">${binding}</span>
      <span class="sep"></span>
      ${
        ro
          ? nothing
          : html`<button data-action="add-node" title="Add a node (N)" aria-label="Add node" ?disabled=${!flow} @click=${v.onAddNode}>+<span class="label"> Add node</span></button>
              <button class="icon narrow-hidden" data-action="undo" title="Undo (Ctrl+Z)" aria-label="Undo" ?disabled=${!v.session.canUndo} @click=${v.onUndo}>↶</button>
              <button class="icon narrow-hidden" data-action="redo" title="Redo (Ctrl+Shift+Z)" aria-label="Redo" ?disabled=${!v.session.canRedo} @click=${v.onRedo}>↷</button>`
      }
      <button class="icon" data-action="fit" title="Fit view (F)" aria-label="Fit view" ?disabled=${!flow} @click=${v.onFit}>⤢</button>
      <span class="spacer"></span>
      <button data-action="history" class="collapsible" aria-pressed=${v.historyOpen} ?disabled=${!flow?.id} @click=${v.onHistory}>History</button>
      ${
        ro
          ? nothing
          : html`<button data-action="deploy" class="collapsible ${flow?.deployed ? 'deployed' : ''}" ?disabled=${!flow} title=${flow?.deployed ? 'Deployed: its trigger is armed. Click to undeploy.' : 'Deploy: arm the trigger'}
                @click=${v.onDeploy}>${flow?.deployed ? '● Deployed' : 'Deploy'}</button>
              <button data-action="save" part="save-button" ?disabled=${!flow || v.session.saving || (!v.session.dirty && !v.session.isNew)} @click=${v.onSave}>${v.session.saving ? 'Saving…' : 'Save'}</button>`
      }
      ${
        v.runActive
          ? html`<button data-action="cancel-run" class="danger" @click=${v.onStop}>Stop</button>`
          : html`<button class="primary" data-action="run" part="run-button" aria-label="Run Now" ?disabled=${!flow} @click=${v.onRun}>▶<span class="label"> Run Now</span></button>`
      }
      ${renderMore(v)}
    </div>`
}

/**
 * History and Deploy again (and Undo / Redo when very narrow), in a menu: the toolbar's container
 * query hides those buttons and shows this one when the editor is narrow, so nothing wraps or gets cut off.
 */
function renderMore(v: ToolbarView) {
  const { flow } = v
  const close = () => v.onMoreOpen(false)
  return html`<span class="more" @focusout=${(e: FocusEvent) => {
    if (!(e.currentTarget as HTMLElement).contains(e.relatedTarget as Node | null)) close()
  }}>
      <button class="icon" data-action="more" aria-label="More actions" title="More actions" aria-haspopup="menu" aria-expanded=${v.moreOpen}
        @click=${() => v.onMoreOpen(!v.moreOpen)}>⋯</button>
      ${
        v.moreOpen
          ? html`<div class="more-menu" role="menu">
              ${
                v.readonly
                  ? nothing
                  : html`<button role="menuitem" class="narrow-only" data-menu-action="undo" ?disabled=${!v.session.canUndo} @click=${v.onUndo}>Undo</button>
                    <button role="menuitem" class="narrow-only" data-menu-action="redo" ?disabled=${!v.session.canRedo} @click=${v.onRedo}>Redo</button>`
              }
              <button role="menuitem" data-menu-action="history" ?disabled=${!flow?.id} @click=${() => {
                close()
                v.onHistory()
              }}>${v.historyOpen ? 'Hide history' : 'History'}</button>
              ${
                v.readonly
                  ? nothing
                  : html`<button role="menuitem" data-menu-action="deploy" ?disabled=${!flow} @click=${() => {
                      close()
                      v.onDeploy()
                    }}>${flow?.deployed ? 'Undeploy' : 'Deploy'}</button>`
              }
            </div>`
          : nothing
      }
    </span>`
}

function plural(n: number, word: string): string {
  return n === 0 ? `no ${word}s` : n === 1 ? `1 ${word}` : `${n} ${word}s`
}
