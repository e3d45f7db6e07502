import { CONTROL_CHARACTER } from '../../../core/flow/text-rules.ts'

/**
 * Why one-line text (a node's name, a category) is refused, or '' when it is fine: the server's
 * rule, checked where the text is typed so a pasted tab is refused there, not on Save.
 */
export function oneLineProblem(text: string): string {
  const found = CONTROL_CHARACTER.exec(text)
  if (!found) return ''
  const code = found[0].charCodeAt(0)
  const name = code === 9 ? 'a tab' : code === 10 || code === 13 ? 'a line break' : 'a control character'
  return `cannot contain control characters (it has ${name})`
}
