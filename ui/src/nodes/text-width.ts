/**
 * Estimated width of sans text, in ems. Letters differ in width (capitals like "AWSResource" are far
 * wider than their count says), so this counts per-letter widths a little over those of common bold
 * sans fonts: text sized by it ends where the card expects without measuring or a paint-costly clip.
 */
export function letterEm(ch: string): number {
  return /[il.,:;'|!ıjI]/.test(ch)
    ? 0.32
    : /[ftr() -]/.test(ch)
      ? 0.45
      : /[MWmw]/.test(ch)
        ? 0.95
        : /[A-Z]/.test(ch)
          ? 0.75
          : 0.6
}

export function textEm(text: string): number {
  let total = 0
  for (const ch of text) total += letterEm(ch)
  return total
}
