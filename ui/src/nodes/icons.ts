import { svg, type TemplateResult } from 'lit'
import { letterEm, textEm } from './text-width.ts'

/** Glyphs for manifest icon names. Unknown names fall back to the name's first character. */
const PATHS: Record<string, string> = {
  bolt: 'M13 2 4 14h7l-1 8 9-12h-7z',
  database:
    'M12 3c-4.4 0-8 1.3-8 3v12c0 1.7 3.6 3 8 3s8-1.3 8-3V6c0-1.7-3.6-3-8-3zm0 2c3.9 0 6 1.1 6 1s-2.1 1-6 1-6-.9-6-1 2.1-1 6-1zM6 9c1.5.7 3.6 1 6 1s4.5-.3 6-1v3c0 .3-2.1 1-6 1s-6-.7-6-1zm0 6c1.5.7 3.6 1 6 1s4.5-.3 6-1v3c0 .3-2.1 1-6 1s-6-.7-6-1z',
  cloud: 'M6.5 19a4.5 4.5 0 0 1-.6-9A6 6 0 0 1 17.6 9 5 5 0 0 1 17 19z',
  aws: 'M6.5 19a4.5 4.5 0 0 1-.6-9A6 6 0 0 1 17.6 9 5 5 0 0 1 17 19z',
  shield:
    'M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5zm-1.2 14.2-3.5-3.5 1.4-1.4 2.1 2.1 4.6-4.6 1.4 1.4z',
  'shield-check':
    'M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5zm-1.2 14.2-3.5-3.5 1.4-1.4 2.1 2.1 4.6-4.6 1.4 1.4z',
  filter: 'M3 5h18l-7 8v6l-4 2v-8z',
  play: 'M7 4v16l13-8z',
  wrench: 'M21 7.5a5.5 5.5 0 0 1-7.6 5.1L6 20a2 2 0 0 1-3-3l7.4-7.4A5.5 5.5 0 0 1 17.5 2l-3 3 .5 3.5 3.5.5z',
  action: 'M21 7.5a5.5 5.5 0 0 1-7.6 5.1L6 20a2 2 0 0 1-3-3l7.4-7.4A5.5 5.5 0 0 1 17.5 2l-3 3 .5 3.5 3.5.5z',
  puzzle: 'M10 3a2 2 0 0 1 4 0v2h4v4h-2a2 2 0 0 0 0 4h2v6h-6v-2a2 2 0 0 0-4 0v2H4v-6h2a2 2 0 0 0 0-4H4V5h6z',
  clock: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 5v5.4l4 2.4-1 1.7-5-3V7z',
}

/** The icon names the editor draws (docs/plugins.md lists them for plugin authors). */
export const ICON_NAMES: readonly string[] = Object.keys(PATHS)

const urls = new Map<string, string>()

/**
 * The glyph as a CSS `url(...)` of an SVG image in the given colour. Canvas cards use this rather
 * than inline <svg>: an inline SVG adds a transform node to Chromium's paint property tree per card,
 * which made every frame of a 500-node canvas pay for 500 of them.
 */
export function iconUrl(name: string, color: string): string {
  const key = `${name}|${color}`
  let url = urls.get(key)
  if (!url) {
    const d = PATHS[name]
    const body = d
      ? `<path fill='${color}' d='${d}'/>`
      : `<text x='12' y='17' text-anchor='middle' font-size='15' font-weight='700' font-family='sans-serif' fill='${color}'>${(
          name || '?'
        )
          .slice(0, 1)
          .toUpperCase()
          .replace(/[<>&'"]/g, '?')}</text>`
    url = `url("data:image/svg+xml,${encodeURIComponent(`<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'>${body}</svg>`)}")`
    urls.set(key, url)
  }
  return url
}

/** Shortens text to `max` characters with an ellipsis (cards avoid CSS clipping for paint cost). */
export function fitText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`
}

/**
 * Shorten `text` to about `maxEm` ems of bold sans text, by estimated letter widths (see textEm):
 * a title then ends before the card's status dot and menu without a paint-costly clip.
 */
export function fitWidth(text: string, maxEm: number): string {
  if (textEm(text) <= maxEm) return text
  let used = 1 // the ellipsis
  let end = 0
  for (const ch of text) {
    if (used + letterEm(ch) > maxEm) break
    used += letterEm(ch)
    end += ch.length
  }
  return `${text.slice(0, end).trimEnd()}…`
}

export function iconTemplate(name: string, size = 18): TemplateResult {
  const d = PATHS[name]
  if (d)
    return svg`<svg width=${size} height=${size} viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d=${d}></path></svg>`
  const letter = (name || '?').slice(0, 1).toUpperCase()
  return svg`<svg width=${size} height=${size} viewBox="0 0 24 24" aria-hidden="true"><text x="12" y="17" text-anchor="middle" font-size="15" font-weight="700" fill="currentColor">${letter}</text></svg>`
}
