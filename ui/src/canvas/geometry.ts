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
