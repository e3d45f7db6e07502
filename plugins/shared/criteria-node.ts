/**
 * What the TotalCloud Control and Filter nodes share: the criteria field, the editor widget for
 * it, compiling once per run, and walking the input with cancellation checks. Each node keeps
 * only what differs: how it routes a verdict.
 */
import { compileCriteria } from '../../core/criteria/compile.ts'
import { type Criteria, criteriaSchema } from '../../core/criteria/schema.ts'
import type { Item, NodeContext, PortItems } from '../../core/plugin/types.ts'

/** The criteria a new node starts with: one empty AND group, which every resource matches. */
export const criteriaField = criteriaSchema

export const CRITERIA_WIDGETS = { criteria: 'criteria-builder' } as const

/** Items between looks at the clock and the signal: cheap, and short enough that a slow item (a
 * resource whose regexes spend their whole work budget takes about 30 ms) cannot run long. */
const CHECK_EVERY = 16

/**
 * Work between yields to the event loop. Judging items is synchronous, and a node's time limit
 * and a cancel are timers and events: without a yield they could not fire until the node ended,
 * and a run over much data would also hold every HTTP request of the process meanwhile.
 */
const SLICE_MS = 50

export function inputItems(input: PortItems): Item[] {
  return input.in ?? []
}

export function compileForRun(ctx: NodeContext<{ criteria: Criteria }>) {
  return compileCriteria(ctx.config.criteria, { now: ctx.now().getTime() })
}

/**
 * Calls `visit` for every item, yielding to the event loop every SLICE_MS of work, and throwing
 * if the run is cancelled or the node times out meanwhile. `clock` is for tests.
 */
export async function forEachItem(
  ctx: NodeContext<unknown>,
  items: Item[],
  visit: (item: Item, index: number) => void,
  clock: () => number = () => performance.now()
): Promise<void> {
  let sliceStart = clock()
  for (let index = 0; index < items.length; index++) {
    if (index % CHECK_EVERY === 0) {
      if (clock() - sliceStart >= SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve))
        sliceStart = clock()
      }
      if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('aborted')
    }
    visit(items[index]!, index)
  }
}
