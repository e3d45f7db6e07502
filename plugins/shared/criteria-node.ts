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

/** Items are checked for cancellation this often, so a huge input stops promptly. */
const ABORT_CHECK_EVERY = 4_096

export function inputItems(input: PortItems): Item[] {
  return input.in ?? []
}

export function compileForRun(ctx: NodeContext<{ criteria: Criteria }>) {
  return compileCriteria(ctx.config.criteria, { now: ctx.now().getTime() })
}

/** Calls `visit` for every item, throwing if the run is cancelled or the node times out meanwhile. */
export function forEachItem(
  ctx: NodeContext<unknown>,
  items: Item[],
  visit: (item: Item, index: number) => void
) {
  for (let index = 0; index < items.length; index++) {
    if (index % ABORT_CHECK_EVERY === 0 && ctx.signal.aborted) throw ctx.signal.reason ?? new Error('aborted')
    visit(items[index]!, index)
  }
}
