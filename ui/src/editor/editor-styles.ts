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
  .toolbar {
    display: flex;
    align-items: center;
    gap: 6px;
    padding: 8px 10px;
    background: var(--_surface);
    border-bottom: 1px solid var(--_border);
    flex-wrap: wrap;
  }
  .name {
    display: flex;
    align-items: center;
    gap: 6px;
    font-weight: 600;
    font-size: 15px;
    border: none;
    background: none;
    padding: 4px 6px;
    max-width: 360px;
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
  .conflict ul {
    margin: 8px 0 0;
    padding-left: 18px;
    font-size: 13px;
  }
  dialog.conflict {
    width: min(520px, 92vw);
  }
`
