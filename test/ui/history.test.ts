import { describe, expect, it } from 'vitest'
import { History } from '../../ui/src/editor/history.ts'

describe('History', () => {
  it('undoes and redoes in order, and a new change drops the redo stack', () => {
    const history = new History<number>()
    history.push(1)
    history.push(2)
    expect(history.undo(3)).toBe(2)
    expect(history.undo(2)).toBe(1)
    expect(history.undo(1)).toBeUndefined()
    expect(history.redo(1)).toBe(2)
    expect(history.canRedo).toBe(true)
    history.push(2)
    expect(history.canRedo).toBe(false)
    expect(history.redo(5)).toBeUndefined()
  })
  it('forgets the oldest states past its limit', () => {
    const history = new History<number>(2)
    history.push(1)
    history.push(2)
    history.push(3)
    expect(history.undo(4)).toBe(3)
    expect(history.undo(3)).toBe(2)
    expect(history.undo(2)).toBeUndefined()
  })
})
