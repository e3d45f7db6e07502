import { css } from 'lit'
import { controlStyles, themeTokens } from '../theme.ts'

/** The shared look of our modal dialogs (native <dialog>, so focus trapping and Esc come for free). */
export const modalStyles = css`
  dialog {
    border: 1px solid var(--_border);
    border-radius: 12px;
    padding: 0;
    background: var(--_surface);
    color: var(--_text);
    box-shadow: 0 24px 64px rgb(16 24 40 / 24%);
    max-height: min(86vh, 860px);
    font-family: var(--_font);
  }
  dialog::backdrop {
    background: rgb(15 23 42 / 40%);
  }
  .dialog-body {
    display: flex;
    flex-direction: column;
    max-height: min(86vh, 860px);
  }
  header.dialog-head {
    display: flex;
    align-items: center;
    gap: 10px;
    padding: 14px 18px;
    border-bottom: 1px solid var(--_border);
  }
  header.dialog-head h2 {
    font-size: 16px;
    margin: 0;
    flex: 1;
  }
  .dialog-main {
    padding: 16px 18px;
    overflow: auto;
    flex: 1;
  }
  footer.dialog-foot {
    display: flex;
    justify-content: flex-end;
    gap: 8px;
    padding: 12px 18px;
    border-top: 1px solid var(--_border);
    background: var(--_surface-2);
    border-radius: 0 0 12px 12px;
  }
  .close {
    border: none;
    background: none;
    font-size: 20px;
    line-height: 20px;
    color: var(--_muted);
    padding: 4px 8px;
  }
`

/** Everything a dialog element's styles start from: the theme, form controls, the modal look. */
export const dialogElementStyles = [themeTokens, controlStyles, modalStyles]
