import { html, type TemplateResult } from 'lit'

/**
 * Server messages mark names with markdown backticks ("did you mean `variables`?"). Shown as text
 * they read as stray punctuation, so each `span` becomes a <code>; Lit escapes every part, so a
 * message is never read as markup. An odd backtick is left as it is.
 */
export function codeSpans(text: string): TemplateResult {
  const parts = text.split(/`([^`\n]+)`/)
  return html`${parts.map((part, i) => (i % 2 ? html`<code>${part}</code>` : part))}`
}

/** The same message for places that take plain text only (a tooltip): backticks dropped. */
export function plainText(text: string): string {
  return text.replace(/`([^`\n]+)`/g, '$1')
}
