import { css } from 'lit'

export const appStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    height: 100vh;
    background: var(--_bg);
  }
  .top {
    display: flex;
    align-items: center;
    gap: 12px;
    padding: 10px 20px;
    background: var(--_surface);
    border-bottom: 1px solid var(--_border);
  }
  .brand {
    font-weight: 700;
    font-size: 16px;
    color: var(--_text);
    text-decoration: none;
    display: flex;
    align-items: center;
    gap: 8px;
  }
  .brand .logo {
    width: 26px;
    height: 26px;
    border-radius: 7px;
    background: var(--_accent);
    color: var(--_accent-text);
    display: grid;
    place-items: center;
  }
  .crumb {
    color: var(--_muted);
    font-size: 14px;
  }
  .page {
    flex: 1;
    overflow: auto;
    padding: 20px;
  }
  .list-head {
    display: flex;
    gap: 8px;
    align-items: center;
    margin-bottom: 14px;
    flex-wrap: wrap;
  }
  .list-head h1 {
    font-size: 20px;
    margin: 0 12px 0 0;
  }
  .list-head input[type='search'] {
    width: 260px;
  }
  .spacer {
    flex: 1;
  }
  table {
    width: 100%;
    border-collapse: collapse;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: 10px;
    overflow: hidden;
    font-size: 13px;
  }
  th,
  td {
    text-align: left;
    padding: 10px 12px;
    border-bottom: 1px solid var(--_border);
  }
  th {
    font-size: 12px;
    color: var(--_muted);
    font-weight: 600;
    background: var(--_surface-2);
  }
  tr:last-child td {
    border-bottom: none;
  }
  td a {
    color: var(--_text);
    font-weight: 600;
    text-decoration: none;
  }
  td a:hover {
    color: var(--_accent);
  }
  /* Flows may share a name: the id tells them apart. */
  .flow-id {
    margin-left: 8px;
    color: var(--_muted);
    font: 11px var(--_mono);
  }
  .key-control {
    display: flex;
    align-items: center;
    gap: 6px;
    font-size: 12px;
  }
  .key-control button {
    padding: 2px 8px;
    font-size: 12px;
  }
  .muted {
    color: var(--_muted);
  }
  .desc {
    color: var(--_muted);
    font-size: 12px;
    margin-top: 2px;
    max-width: 520px;
  }
  .deployed {
    color: var(--_success);
    font-weight: 600;
  }
  .row-actions {
    display: flex;
    gap: 6px;
    justify-content: flex-end;
  }
  .empty {
    padding: 40px;
    text-align: center;
    color: var(--_muted);
    background: var(--_surface);
    border: 1px dashed var(--_border);
    border-radius: 10px;
  }
  .menu {
    position: relative;
  }
  .menu-panel {
    position: absolute;
    right: 0;
    top: calc(100% + 4px);
    z-index: 5;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: 8px;
    box-shadow: 0 10px 30px rgb(16 24 40 / 16%);
    padding: 4px;
    min-width: 180px;
    display: grid;
  }
  .menu-panel button {
    border: none;
    text-align: left;
  }
  .templates {
    display: grid;
    gap: 10px;
  }
  .templates button {
    text-align: left;
    padding: 12px;
  }
  .templates strong {
    display: block;
    font-size: 14px;
  }
  .templates span {
    color: var(--_muted);
    font-size: 12px;
  }
  qflow-editor {
    flex: 1;
    border-radius: 0;
    border: none;
  }
  .error {
    color: var(--_danger);
    margin-bottom: 10px;
  }
  .notice {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 6px 16px;
    font-size: 13px;
    background: color-mix(in srgb, var(--_accent) 10%, var(--_surface));
    border-bottom: 1px solid var(--_border);
  }
  .notice button {
    margin-left: auto;
  }
  form.key {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: flex-end;
    margin-bottom: 16px;
  }
  form.key p {
    flex-basis: 100%;
    margin: 0;
  }
  form.key input {
    width: 320px;
  }
  dialog.templates-dialog {
    width: min(560px, 92vw);
  }
`
