import { fitWidth } from '../nodes/icons.ts'
import { textEm } from '../nodes/text-width.ts'
import type { PortRef } from './geometry.ts'

/**
 * Output port labels: a card with several outputs names each beside its handle, on a small tag the
 * colour of the card. Edges leaving such a card run straight out past the tags before they curve
 * (see edge-route.ts), so no edge crosses another port's name whatever its target's position.
 */

/** From the card's right edge to a tag's left edge: clear of the handle (radius 6). */
export const PORT_LABEL_GAP = 8
export const PORT_LABEL_FONT_PX = 11
/** A tag's padding plus border, each side. */
export const PORT_LABEL_INSET = 5
/** Longer names are shortened, so tags end before the "+" button. */
const PORT_LABEL_MAX_EM = 6
/** Straight run of an edge past the longest tag before it may turn. */
const CLEARANCE = 6

/** The text a port's tag shows. */
export function portLabelText(port: PortRef): string {
  return fitWidth(port.label ?? port.name, PORT_LABEL_MAX_EM)
}

const reaches = new WeakMap<PortRef[], number>()

/**
 * How far right of the card's edge its edges run straight: past its widest tag, by estimated text
 * width (over the real one). 0 for a card without tags. Memoised per ports list: every edge asks.
 */
export function portLabelReach(outputs: PortRef[]): number {
  if (outputs.length < 2) return 0
  let reach = reaches.get(outputs)
  if (reach === undefined) {
    const widest = Math.max(...outputs.map((p) => textEm(portLabelText(p))))
    reach = PORT_LABEL_GAP + Math.ceil(widest * PORT_LABEL_FONT_PX) + 2 * PORT_LABEL_INSET + CLEARANCE
    reaches.set(outputs, reach)
  }
  return reach
}

/** The widest reach any card can have: the "+" button beside a card with tags sits past it. */
export const PORT_LABEL_MAX_REACH =
  PORT_LABEL_GAP + Math.ceil(PORT_LABEL_MAX_EM * PORT_LABEL_FONT_PX) + 2 * PORT_LABEL_INSET + CLEARANCE
