import { html } from 'lit'
import type { Conflict } from './flow-session.ts'

/**
 * The dialog a save opens when a newer version was stored meanwhile: what the other version changed,
 * and the choice to keep editing, take theirs or overwrite with mine. The editor owns the
 * `<dialog class="conflict">` element it renders (it opens it with `showModal`).
 */
export interface ConflictView {
  conflict: Conflict | null
  onClose(): void
  onKeepEditing(): void
  onReload(): void
  onOverwrite(): void
}

export function renderConflict(v: ConflictView) {
  const { conflict } = v
  return html`<dialog class="conflict" aria-label="Newer version" @close=${v.onClose}>
      <div class="dialog-body">
        <header class="dialog-head"><h2>This QFlow changed since you opened it</h2></header>
        <div class="dialog-main">
          <p>Version ${conflict?.theirs.version ?? ''} was saved meanwhile. It differs from yours in:</p>
          <ul>${(conflict?.changes.length ? conflict.changes : ['details not shown in the editor']).map((c) => html`<li>${c}</li>`)}</ul>
        </div>
        <footer class="dialog-foot">
          <button @click=${v.onKeepEditing}>Keep editing</button>
          <button data-action="reload" @click=${v.onReload}>Reload theirs</button>
          <button class="primary" data-action="overwrite" @click=${v.onOverwrite}>Overwrite with mine</button>
        </footer>
      </div>
    </dialog>`
}
