/** `1 edge`, `2 edges`: a count with its noun, plural unless the count is one. */
export function countOf(count: number, noun: string, plural = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : plural}`
}
