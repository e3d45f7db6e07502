import { describe, expect, it } from 'vitest'
import { ADD_AFTER_GAP_WIDE, CARD_REACH, panToShow, withCardReach } from '../../ui/src/canvas/geometry.ts'
import { PORT_LABEL_MAX_REACH, portLabelReach } from '../../ui/src/canvas/port-labels.ts'

describe('canvas geometry', () => {
  it('grows node bounds by the ports on the left and the "+" button on the right', () => {
    expect(withCardReach({ x: 0, y: 10, width: 240, height: 72 })).toEqual({
      x: -CARD_REACH.left,
      y: 10,
      width: 240 + CARD_REACH.left + CARD_REACH.right,
      height: 72,
    })
    expect(CARD_REACH.right).toBeGreaterThanOrEqual(56 + 22)
  })

  it('pans as little as needed to show a box, keeping the zoom', () => {
    const box = { x: 900, y: 100, width: 300, height: 80 }
    // At zoom 1 the box ends at x 1200; an 800 px wide view needs a pan of 424 px left (24 px margin).
    expect(panToShow(box, [0, 0, 1], 800, 600)).toEqual([-424, 0, 1])
    // Off the top-left at zoom 0.5: moved in until its corner sits at the margin.
    expect(panToShow(box, [-600, -100, 0.5], 800, 600)).toEqual([-426, -26, 0.5])
    // Already visible: the same transform.
    expect(panToShow(box, [-700, 0, 1], 800, 600)).toEqual([-700, 0, 1])
  })

  it('centres a box on an axis it cannot fit', () => {
    expect(panToShow({ x: 0, y: 0, width: 1000, height: 80 }, [0, 0, 1], 600, 600)[0]).toBe(300 - 500)
  })

  it('puts the "+" button past the widest port tags and the straight run of their edges', () => {
    expect(ADD_AFTER_GAP_WIDE).toBeGreaterThan(PORT_LABEL_MAX_REACH)
    const long = [{ name: 'a', label: 'A very long output port name' }, { name: 'b' }]
    // A long name is shortened, so its tag reaches no further than the widest allowed.
    expect(portLabelReach(long)).toBeLessThanOrEqual(PORT_LABEL_MAX_REACH)
    expect(portLabelReach(long)).toBeGreaterThan(PORT_LABEL_MAX_REACH - 11)
    // One output has no tag, so its edges start curving at the handle.
    expect(portLabelReach([{ name: 'out', label: 'Results' }])).toBe(0)
  })
})
