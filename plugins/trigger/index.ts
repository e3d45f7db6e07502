import { defineNodeType } from '../../core/plugin/define.ts'
import { armSchedule } from './arm.ts'
import { triggerConfig } from './config.ts'
import { isSchedule } from './schedule.ts'

/**
 * The first node of every flow. Its output is the run's input as one item (an empty object when the
 * run was started without input), so downstream nodes always have something to start from.
 *
 * Only schedules arm anything: TotalCloud and event triggers are reached through the server's
 * endpoints, which look up deployed flows and match events with `matchesEventPattern`.
 */
export default defineNodeType({
  manifest: {
    type: 'trigger',
    version: 1,
    title: 'Trigger',
    description: 'Starts the QFlow: by hand, on a schedule, from TotalCloud, or on a cloud event.',
    category: 'trigger',
    icon: 'bolt',
    color: '#7c3aed',
    inputs: [],
    outputs: [{ name: 'out', label: 'Run input' }],
  },
  config: triggerConfig,
  async execute(ctx) {
    const input = ctx.runInput
    const item =
      typeof input === 'object' && input !== null && !Array.isArray(input)
        ? (input as Record<string, unknown>)
        : input === undefined
          ? {}
          : { value: input }
    return { out: [item] }
  },
  activate(ctx) {
    const { config } = ctx
    if (isSchedule(config)) return armSchedule({ ...ctx, config })
    return () => {}
  },
})
