import { css } from 'lit'

export const editorStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    position: relative;
    min-height: 320px;
    height: 100%;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    overflow: clip;
    box-sizing: border-box;
  }
  /*
   * One line at any width: the name and binding shrink first, then (by the toolbar's own width, so
   * an embedding page's layout decides, not the window) the binding goes, labels turn to icons and
   * History and Deploy move into the "More" menu.
   */
  .toolbar {
    container: toolbar / inline-size;
    display: flex;
    align-items: center;
    gap: 6px;
    padding: 8px 10px;
    background: var(--_surface);
    border-bottom: 1px solid var(--_border);
    flex-wrap: nowrap;
    position: relative;
    z-index: 2;
  }
  .toolbar > button {
    flex: none;
    white-space: nowrap;
  }
  .toolbar > .name {
    display: flex;
    flex: 0 1 auto;
    min-width: 5em;
    align-items: center;
    gap: 6px;
    font-weight: 600;
    font-size: 15px;
    border: none;
    background: none;
    padding: 4px 6px;
    max-width: 360px;
  }
  .more {
    display: none;
    position: relative;
    flex: none;
  }
  .more-menu {
    position: absolute;
    right: 0;
    top: calc(100% + 4px);
    z-index: 20;
    display: grid;
    min-width: 150px;
    padding: 4px;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: 8px;
    box-shadow: 0 10px 30px rgb(16 24 40 / 16%);
  }
  .more-menu button {
    border: none;
    text-align: left;
  }
  .more-menu .narrow-only {
    display: none;
  }
  @container toolbar (max-width: 900px) {
    .binding,
    .sep {
      display: none;
    }
  }
  @container toolbar (max-width: 700px) {
    .toolbar > .collapsible {
      display: none;
    }
    .more {
      display: block;
    }
    [data-action='add-node'] .label {
      display: none;
    }
  }
  @container toolbar (max-width: 420px) {
    [data-action='run'] .label,
    .toolbar > .narrow-hidden {
      display: none;
    }
    .more-menu .narrow-only {
      display: block;
    }
  }
  .name span {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .dirty {
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--_warning);
    flex: none;
  }
  .binding {
    flex: 0 1 auto;
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    font-size: 12px;
    color: var(--_muted);
    white-space: nowrap;
  }
  .sep {
    width: 1px;
    align-self: stretch;
    background: var(--_border);
    margin: 0 4px;
  }
  .spacer {
    flex: 1;
  }
  .deployed {
    color: var(--_success);
    border-color: var(--_success);
  }
  .main {
    flex: 1;
    display: flex;
    min-height: 0;
    position: relative;
  }
  qflow-canvas {
    flex: 1;
    min-width: 0;
  }
  .side {
    width: min(440px, 45%);
    display: flex;
    flex-direction: column;
    min-height: 0;
  }
  .side > * {
    flex: 1;
  }
  .statusbar {
    display: flex;
    gap: 10px;
    align-items: center;
    padding: 6px 12px;
    font-size: 12px;
    background: var(--_surface);
    border-top: 1px solid var(--_border);
    color: var(--_muted);
    min-height: 18px;
  }
  .statusbar .error {
    color: var(--_danger);
  }
  .statusbar .badge {
    font-weight: 600;
    text-transform: capitalize;
  }
  .statusbar .succeeded {
    color: var(--_success);
  }
  .statusbar .failed {
    color: var(--_danger);
  }
  .statusbar .partial,
  .statusbar .reconnecting {
    color: var(--_warning);
  }
  .statusbar .running,
  .statusbar .queued {
    color: var(--_running);
  }
  .empty {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
    color: var(--_muted);
  }
  /* Over the canvas, where the flow would be: the first place anyone looks. */
  .load-failure {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
    padding: 16px;
    background: color-mix(in srgb, var(--_bg) 85%, transparent);
    z-index: 3;
  }
  .load-failure-box {
    max-width: 460px;
    padding: 16px 20px;
    background: var(--_surface);
    border: 1px solid var(--_danger);
    border-radius: var(--_radius);
    box-shadow: var(--_shadow);
  }
  .load-failure-box strong {
    color: var(--_danger);
    font-size: 15px;
  }
  .load-failure-box p {
    margin: 8px 0 12px;
    font-size: 13px;
    overflow-wrap: anywhere;
  }
  .conflict ul {
    margin: 8px 0 0;
    padding-left: 18px;
    font-size: 13px;
  }
  dialog.conflict {
    width: min(520px, 92vw);
  }
`
