import { type Handle, Position } from '@xyflow/system'

/**
 * Node cards have a fixed size, so handle positions are computed, not measured: edges can be laid
 * out before anything is painted, and the same numbers drive the handle CSS (see the xyflow guide,
 * "static handles are authoritative").
 */
export const CARD_WIDTH = 240
export const CARD_HEIGHT = 72
export const HANDLE_SIZE = 12
/** Horizontal gap used when a node is added after another one. */
export const CARD_GAP_X = 90
/** The "+" (add after) button beside a card's right edge: its size and its gap from the card. */
export const ADD_AFTER_SIZE = 22
export const ADD_AFTER_GAP = 14
/**
 * The gap when the card has several outputs, whose port tags sit between card and button: past the
 * widest tags and the straight run of their edges (PORT_LABEL_MAX_REACH, port-labels.ts).
 */
export const ADD_AFTER_GAP_WIDE = 94
/**
 * The gap after a card with port tags: its edges run straight past the tags (up to
 * ADD_AFTER_GAP_WIDE) before they may curve, so a node added at CARD_GAP_X would sit left of where
 * the edge turns, and the edge would hook back under it. Past the card's "+" button, with room for
 * the edge to bend into the new node's input.
 */
export const CARD_GAP_X_WIDE = ADD_AFTER_GAP_WIDE + ADD_AFTER_SIZE + 44

/** The horizontal gap for a node added after a card with `outputs` output ports. */
export function gapAfter(outputs: number): number {
  return outputs > 1 ? CARD_GAP_X_WIDE : CARD_GAP_X
}
/**
 * How far a card's controls reach past its box, in flow units: the input ports on the left, the
 * port labels and the "+" button on the right. Fitting and revealing keep these on screen too.
 */
export const CARD_REACH = { left: HANDLE_SIZE / 2, right: ADD_AFTER_GAP_WIDE + ADD_AFTER_SIZE }

export interface Box {
  x: number
  y: number
  width: number
  height: number
}

/** A box of flow coordinates grown by the cards' reach, so nothing of a card is cut off when fitted. */
export function withCardReach(box: Box): Box {
  return {
    x: box.x - CARD_REACH.left,
    y: box.y,
    width: box.width + CARD_REACH.left + CARD_REACH.right,
    height: box.height,
  }
}

/**
 * The smallest pan (zoom unchanged) that brings `box` (flow coordinates) inside a view of
 * `width` x `height` with `margin` pixels to spare; the box is centred on an axis it cannot fit.
 * Returns the new `[x, y, zoom]`, the same transform when the box is already visible.
 */
export function panToShow(
  box: Box,
  transform: readonly [number, number, number],
  width: number,
  height: number,
  margin = 24
): [number, number, number] {
  const [x, y, k] = transform
  const axis = (start: number, size: number, offset: number, view: number): number => {
    const from = start * k + offset
    const to = (start + size) * k + offset
    if (size * k + 2 * margin > view) return view / 2 - (start + size / 2) * k
    if (from < margin) return offset + (margin - from)
    if (to > view - margin) return offset - (to - (view - margin))
    return offset
  }
  return [axis(box.x, box.width, x, width), axis(box.y, box.height, y, height), k]
}

export interface PortRef {
  name: string
  label?: string
}

/** Ports spread evenly down the card's edge: inputs on the left, outputs on the right. */
export function portOffsets(count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.round((CARD_HEIGHT * (i + 1)) / (count + 1)))
}

export function staticHandles(nodeId: string, inputs: PortRef[], outputs: PortRef[]): Handle[] {
  const half = HANDLE_SIZE / 2
  const inY = portOffsets(inputs.length)
  const outY = portOffsets(outputs.length)
  return [
    ...inputs.map((port, i) => ({
      id: port.name,
      nodeId,
      type: 'target' as const,
      position: Position.Left,
      x: -half,
      y: inY[i]! - half,
      width: HANDLE_SIZE,
      height: HANDLE_SIZE,
    })),
    ...outputs.map((port, i) => ({
      id: port.name,
      nodeId,
      type: 'source' as const,
      position: Position.Right,
      x: CARD_WIDTH - half,
      y: outY[i]! - half,
      width: HANDLE_SIZE,
      height: HANDLE_SIZE,
    })),
  ]
}
