/** `1 edge`, `2 edges`: a count with its noun, plural unless the count is one. */
export function countOf(count: number, noun: string, plural = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : plural}`
}

/** `an editor`, `a runner`: the article by the word's first letter (enough for role names). */
export function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`
}
