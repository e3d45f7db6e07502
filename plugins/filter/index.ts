import { TRUE, UNKNOWN } from '../../core/criteria/truth.ts'
import { defineNodeType } from '../../core/plugin/define.ts'
import type { Item } from '../../core/plugin/types.ts'
import { CRITERIA_WIDGETS, compileForRun, forEachItem, inputItems } from '../shared/criteria-node.ts'
import { filterConfig } from './config.ts'

/** Splits its input by the criteria: `matched` and `unmatched`, items passed on unchanged. */
export default defineNodeType({
  manifest: {
    type: 'filter',
    version: 1,
    title: 'Filter',
    description: 'Keeps the resources that match the criteria; the rest go to "unmatched".',
    category: 'general',
    icon: 'filter',
    color: '#2563eb',
    inputs: [{ name: 'in', label: 'Resources' }],
    outputs: [
      { name: 'matched', label: 'Matched' },
      { name: 'unmatched', label: 'Unmatched' },
    ],
    widgets: { ...CRITERIA_WIDGETS },
  },
  config: filterConfig,
  async execute(ctx, input) {
    const criteria = compileForRun(ctx)
    const unknownMatches = ctx.config.unknownTo === 'matched'
    const matched: Item[] = []
    const unmatched: Item[] = []
    let unknown = 0
    await forEachItem(ctx, inputItems(input), (item) => {
      const truth = criteria.test(item)
      if (truth === UNKNOWN) unknown++
      if (truth === TRUE || (truth === UNKNOWN && unknownMatches)) matched.push(item)
      else unmatched.push(item)
    })
    if (unknown > 0)
      ctx.log('info', `${unknown} resource(s) could not be decided; sent to "${ctx.config.unknownTo}"`)
    return { matched, unmatched }
  },
})
