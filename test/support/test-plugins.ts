import { z } from 'zod'
import { defineNodeType } from '../../core/plugin/define.ts'
import type { Item, NodePlugin } from '../../core/plugin/types.ts'
import { builtinPlugins } from '../../plugins/index.ts'

/** Small node types for exercising the engine without AWS: each does one obvious thing. */
const general = { category: 'general' as const, icon: 'box', color: '#64748b', version: 1 }

/** Adds `step` to each item's `n` and passes it on. */
export const addPlugin = defineNodeType({
  manifest: {
    ...general,
    type: 'test-add',
    title: 'Add',
    description: 'adds to n',
    inputs: [{ name: 'in' }],
    outputs: [{ name: 'out' }],
  },
  config: z.object({ step: z.number().default(1), label: z.string().optional() }),
  async execute(ctx, input) {
    const items = input.in ?? []
    return {
      out: items.map((item) => ({
        ...item,
        n: Number(item.n ?? 0) + ctx.config.step,
        ...(ctx.config.label === undefined ? {} : { label: ctx.resolve(ctx.config.label, item) }),
      })),
    }
  },
})

/** Emits `count` items, for flows that need volume. */
export const makePlugin = defineNodeType({
  manifest: {
    ...general,
    type: 'test-make',
    title: 'Make',
    description: 'makes items',
    inputs: [{ name: 'in' }],
    outputs: [{ name: 'out' }],
  },
  config: z.object({ count: z.number().int().min(0).default(3) }),
  async execute(ctx) {
    return { out: Array.from({ length: ctx.config.count }, (_, i): Item => ({ i, n: 0 })) }
  },
})

/** Splits items by whether `n` is even, to exercise several output ports. */
export const splitPlugin = defineNodeType({
  manifest: {
    ...general,
    type: 'test-split',
    title: 'Split',
    description: 'even/odd',
    inputs: [{ name: 'in' }],
    outputs: [{ name: 'even' }, { name: 'odd' }],
  },
  config: z.object({}),
  async execute(_ctx, input) {
    const items = input.in ?? []
    return {
      even: items.filter((item) => Number(item.n) % 2 === 0),
      odd: items.filter((item) => Number(item.n) % 2 !== 0),
    }
  },
})

/** Merges two named inputs, to check that a node sees the items of all its inputs. */
export const joinPlugin = defineNodeType({
  manifest: {
    ...general,
    type: 'test-join',
    title: 'Join',
    description: 'joins a and b',
    inputs: [{ name: 'a' }, { name: 'b' }],
    outputs: [{ name: 'out' }],
  },
  config: z.object({}),
  async execute(_ctx, input) {
    return { out: [...(input.a ?? []), ...(input.b ?? [])] }
  },
})

/** Fails, sleeps or hangs on demand. */
export const behavePlugin = defineNodeType({
  manifest: {
    ...general,
    type: 'test-behave',
    title: 'Behave',
    description: 'fails or waits',
    inputs: [{ name: 'in' }],
    outputs: [{ name: 'out' }],
  },
  config: z.object({
    mode: z.enum(['pass', 'fail', 'sleep', 'hang', 'partial']).default('pass'),
    ms: z.number().int().min(0).default(10),
  }),
  async execute(ctx, input) {
    const items = input.in ?? []
    switch (ctx.config.mode) {
      case 'fail':
        throw new Error('told to fail')
      case 'partial':
        ctx.partial('one region failed', { region: 'eu-west-1' })
        return { out: items }
      case 'sleep':
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, ctx.config.ms)
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(timer)
            reject(ctx.signal.reason)
          })
        })
        return { out: items }
      case 'hang':
        // Ignores its signal on purpose: the engine must still stop waiting for it.
        return new Promise(() => {})
      default:
        return { out: items }
    }
  },
})

export const testPlugins: NodePlugin[] = [addPlugin, makePlugin, splitPlugin, joinPlugin, behavePlugin]
export const allTestPlugins: NodePlugin[] = [...builtinPlugins, ...testPlugins]
