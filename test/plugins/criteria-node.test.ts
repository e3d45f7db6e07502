/**
 * Judging items is synchronous; the walk over them yields to the event loop between slices of
 * work, so a node's time limit, a cancel and other requests are not held up by a large input or
 * slow items (regexes spending their work budget). A fake clock stands in for time.
 */
import { describe, expect, it } from 'vitest'
import type { NodeContext } from '../../core/plugin/types.ts'
import { forEachItem } from '../../plugins/shared/criteria-node.ts'

const contextWith = (signal: AbortSignal) => ({ signal }) as unknown as NodeContext<unknown>

describe('forEachItem', () => {
  it('lets the event loop run between slices of work, and stops once the signal aborts', async () => {
    const controller = new AbortController()
    let now = 0
    // Every look at the clock is 10 ms later: a slice ends every few checks.
    const clock = () => (now += 10)
    // Aborts from the event loop, as a timer or an HTTP cancel would: it can only run if the walk yields.
    setImmediate(() => controller.abort(new Error('cancelled')))
    const visited: number[] = []
    const items = Array.from({ length: 10_000 }, (_, i) => ({ i }))
    await expect(
      forEachItem(contextWith(controller.signal), items, (_, index) => visited.push(index), clock)
    ).rejects.toThrow('cancelled')
    expect(visited.length).toBeGreaterThan(0)
    expect(visited.length).toBeLessThan(items.length)
  })

  it('visits every item in order when nothing stops it', async () => {
    const visited: number[] = []
    await forEachItem(
      contextWith(new AbortController().signal),
      [{}, {}, {}],
      (_, index) => visited.push(index),
      () => 0
    )
    expect(visited).toEqual([0, 1, 2])
  })
})
