import { css } from 'lit'

/**
 * Theme tokens. Every colour, font and radius the elements use comes from a `--qflow-*` custom
 * property with a default here; custom properties cross shadow boundaries, so a host page themes
 * the editor by setting them on `qflow-editor` (documented in docs/embedding.md).
 */
export const themeTokens = css`
  :host {
    --_bg: var(--qflow-bg, #f6f7f9);
    --_grid: var(--qflow-grid, #dfe3ea);
    --_surface: var(--qflow-surface, #ffffff);
    --_surface-2: var(--qflow-surface-2, #f1f3f6);
    --_text: var(--qflow-text, #1c2430);
    --_muted: var(--qflow-muted, #5f6b7a);
    --_border: var(--qflow-border, #d5dae1);
    --_accent: var(--qflow-accent, #2563eb);
    --_accent-text: var(--qflow-accent-text, #ffffff);
    --_success: var(--qflow-success, #16a34a);
    --_warning: var(--qflow-warning, #d97706);
    --_danger: var(--qflow-danger, #dc2626);
    --_running: var(--qflow-running, #2563eb);
    --_edge: var(--qflow-edge, #8a96a8);
    --_radius: var(--qflow-radius, 8px);
    --_font: var(--qflow-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --_mono: var(--qflow-mono-font, ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace);
    --_shadow: var(--qflow-shadow, 0 1px 2px rgb(16 24 40 / 8%), 0 2px 8px rgb(16 24 40 / 6%));
    font-family: var(--_font);
    color: var(--_text);
  }
`

/** Buttons, inputs and small pieces shared by dialogs and toolbars. */
export const controlStyles = css`
  button,
  .btn {
    font: inherit;
    font-size: 13px;
    border: 1px solid var(--_border);
    background: var(--_surface);
    color: var(--_text);
    border-radius: 6px;
    padding: 6px 12px;
    cursor: pointer;
    line-height: 18px;
  }
  button:hover:not(:disabled) {
    background: var(--_surface-2);
  }
  button:focus-visible,
  input:focus-visible,
  select:focus-visible,
  textarea:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 1px;
  }
  button.primary {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_accent-text);
  }
  button.primary:hover:not(:disabled) {
    filter: brightness(1.08);
    background: var(--_accent);
  }
  button.danger {
    color: var(--_danger);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  button.icon {
    padding: 4px 8px;
  }
  input,
  select,
  textarea {
    font: inherit;
    font-size: 13px;
    color: var(--_text);
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: 6px;
    padding: 6px 8px;
    box-sizing: border-box;
  }
  textarea {
    font-family: var(--_mono);
  }
  label.field,
  div.field {
    display: flex;
    flex-direction: column;
    gap: 4px;
    font-size: 12px;
    font-weight: 600;
    color: var(--_muted);
  }
  .error-text {
    color: var(--_danger);
    font-size: 12px;
    font-weight: 500;
  }
  .chip {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    border: 1px solid var(--_border);
    background: var(--_surface-2);
    border-radius: 999px;
    padding: 1px 8px;
    font-size: 12px;
  }
`
