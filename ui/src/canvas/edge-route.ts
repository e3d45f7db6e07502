import { type EdgePosition, getBezierPath } from '@xyflow/system'

/** How far above or below the source card a backward edge turns, clear of its port tags. */
const TURN_MARGIN = 16

/**
 * The path of an edge leaving a card with port tags: a straight run from the handle to `clearX`
 * (past every tag), then a curve. A target ahead gets the usual bezier from there, which never
 * comes back left of `clearX`. A target behind (below or above-left) would make the bezier swing
 * back through the tags, so the edge first turns in a hook to just below (or above) the card,
 * `band` being the card's top and bottom, and only then heads back to the target.
 * Returns the path and its middle, as getBezierPath does.
 */
export function clearOfLabelsPath(
  pos: EdgePosition,
  clearX: number,
  band: { top: number; bottom: number }
): [string, number, number] {
  const { sourceX: sx, sourceY: sy, targetX: tx, targetY: ty } = pos
  const run = `M${sx},${sy} L${clearX},${sy} `
  if (tx >= clearX) {
    const [curve, labelX, labelY] = getBezierPath({ ...pos, sourceX: clearX })
    // The curve starts where the run ends: drop its own move-to so the line stays one stroke.
    return [run + curve.slice(curve.indexOf('C')), labelX, labelY]
  }
  const turnY = ty >= sy ? band.bottom + TURN_MARGIN : band.top - TURN_MARGIN
  const bulge = Math.abs(turnY - sy) * 0.67
  const back = Math.max(50, (clearX - tx) / 2)
  const hook = `C${clearX + bulge},${sy} ${clearX + bulge},${turnY} ${clearX},${turnY} `
  const tail = `C${clearX - back},${turnY} ${tx - 80},${ty} ${tx},${ty}`
  return [run + hook + tail, (clearX + tx) / 2, (turnY + ty) / 2]
}
