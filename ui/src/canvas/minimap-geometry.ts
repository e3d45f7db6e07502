import type { Rect, Transform } from '@xyflow/system'

/** The part of the flow the canvas shows, in flow coordinates. */
export function visibleRect(transform: Transform, width: number, height: number): Rect {
  const [x, y, zoom] = transform
  return { x: -x / zoom, y: -y / zoom, width: width / zoom, height: height / zoom }
}

/** The smallest rectangle holding both. */
export function unionRect(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x)
  const y = Math.min(a.y, b.y)
  return {
    x,
    y,
    width: Math.max(a.x + a.width, b.x + b.width) - x,
    height: Math.max(a.y + a.height, b.y + b.height) - y,
  }
}

export interface MinimapFrame {
  /** The flow area the map shows (its SVG viewBox), centred on the content, map's aspect ratio. */
  box: Rect
  /** Flow units per map pixel: what the pan gesture multiplies mouse movement by. */
  scale: number
}

/**
 * What the map shows: the nodes and the visible area together, scaled to fit the map and padded by
 * `padding` map pixels, so the viewport frame never touches the map's edge.
 */
export function minimapFrame(content: Rect, mapWidth: number, mapHeight: number, padding = 6): MinimapFrame {
  const scale = Math.max(content.width / mapWidth, content.height / mapHeight, Number.MIN_VALUE)
  const width = scale * mapWidth
  const height = scale * mapHeight
  const pad = padding * scale
  const box = {
    x: content.x - (width - content.width) / 2 - pad,
    y: content.y - (height - content.height) / 2 - pad,
    width: width + 2 * pad,
    height: height + 2 * pad,
  }
  // The SVG keeps the box's aspect ratio, so the tighter side sets the pixel size.
  return { box, scale: Math.max(box.width / mapWidth, box.height / mapHeight) }
}

/** Many rectangles as one SVG path: one element to paint however many nodes the flow has. */
export function rectsPath(rects: Iterable<Rect>): string {
  let d = ''
  for (const r of rects)
    d += `M${round(r.x)},${round(r.y)}h${round(r.width)}v${round(r.height)}h${round(-r.width)}z`
  return d
}

/** The area outside `hole` within `outer`, to be filled with `fill-rule: evenodd`. */
export function maskPath(outer: Rect, hole: Rect): string {
  return rectsPath([outer, hole])
}

function round(n: number): number {
  return Math.round(n * 10) / 10
}
