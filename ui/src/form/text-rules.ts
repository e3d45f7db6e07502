/**
 * The server's rule for one-line text (a node's name, a category): no C0 or C1 control characters
 * nor DEL. It is core/flow/schema.ts's CONTROL_CHARACTER, repeated so the bundle does not take zod
 * with it; a pasted tab is then refused where it is typed, not on Save.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/

/** Why one-line text is refused, or '' when it is fine. */
export function oneLineProblem(text: string): string {
  const found = CONTROL_CHARACTER.exec(text)
  if (!found) return ''
  const code = found[0].charCodeAt(0)
  const name = code === 9 ? 'a tab' : code === 10 || code === 13 ? 'a line break' : 'a control character'
  return `cannot contain control characters (it has ${name})`
}
