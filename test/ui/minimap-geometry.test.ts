import { describe, expect, it } from 'vitest'
import {
  maskPath,
  minimapFrame,
  rectsPath,
  unionRect,
  visibleRect,
} from '../../ui/src/canvas/minimap-geometry.ts'

describe('minimap geometry', () => {
  it('turns the canvas transform into the visible flow area', () => {
    expect(visibleRect([-100, 50, 2], 800, 600)).toEqual({ x: 50, y: -25, width: 400, height: 300 })
  })

  it('frames content at the map aspect ratio, centred, with padding in map pixels', () => {
    const content = { x: 0, y: 0, width: 1000, height: 100 }
    const { box, scale } = minimapFrame(content, 200, 100, 10)
    // 1000 wide into 200 px: 5 flow units a pixel, 10 px of padding = 50 units each side.
    expect(box).toEqual({ x: -50, y: -250, width: 1100, height: 600 })
    expect(scale).toBe(6)
    // A tall flow is limited by the height instead.
    expect(minimapFrame({ x: 0, y: 0, width: 100, height: 1000 }, 200, 100, 0).box).toEqual({
      x: -950,
      y: 0,
      width: 2000,
      height: 1000,
    })
  })

  it('unites the node bounds with the visible area so the frame is always on the map', () => {
    expect(unionRect({ x: 0, y: 0, width: 10, height: 10 }, { x: -5, y: 5, width: 30, height: 2 })).toEqual({
      x: -5,
      y: 0,
      width: 30,
      height: 10,
    })
  })

  it('draws many rectangles as one path, and the mask as an outer rectangle with a hole', () => {
    const a = { x: 0.04, y: 1, width: 2, height: 3 }
    const b = { x: 10, y: 10, width: 5, height: 5 }
    expect(rectsPath([a, b])).toBe('M0,1h2v3h-2zM10,10h5v5h-5z')
    expect(maskPath(b, a)).toBe('M10,10h5v5h-5zM0,1h2v3h-2z')
  })
})
