import { z } from 'zod'
import { NodeExecutionError } from '../../core/errors.ts'
import { defineNodeType } from '../../core/plugin/define.ts'
import type { Item, NodeManifest, NodePlugin } from '../../core/plugin/types.ts'
import { builtinPlugins } from '../../plugins/index.ts'

/**
 * Small node types for tests of the engine, the server and the CLI, each doing one obvious thing
 * a test can steer through config. Used beside the builtin node types, never instead of them.
 */
const manifest = (
  type: string,
  title: string,
  ports: Pick<Partial<NodeManifest>, 'inputs' | 'outputs'> = {}
): NodeManifest => ({
  type,
  version: 1,
  title,
  description: `test node: ${title}`,
  category: 'general',
  icon: 'flask',
  color: '#64748b',
  inputs: [{ name: 'in' }],
  outputs: [{ name: 'out' }],
  ...ports,
})

/** Waits `ms`, or rejects when the signal aborts first. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(signal.reason)
    })
  })
}

/** Emits `count` items `{n, tag}`, n counting from 0. */
export const emitPlugin = defineNodeType({
  manifest: manifest('test-emit', 'Emit'),
  config: z.object({ count: z.number().int().min(0).max(100_000).default(1), tag: z.string().default('x') }),
  async execute(ctx) {
    return { out: Array.from({ length: ctx.config.count }, (_, n) => ({ n, tag: ctx.config.tag })) }
  },
})

/** Copies each input item and sets `set` on it; values may use `obj.<path>` expressions. */
export const mapPlugin = defineNodeType({
  manifest: manifest('test-map', 'Map'),
  config: z.object({ set: z.record(z.string(), z.unknown()).default({}) }),
  async execute(ctx, input) {
    const out: Item[] = (input.in ?? []).map((item) => ({
      ...item,
      ...(ctx.resolve(ctx.config.set, item) as Item),
    }))
    return { out }
  },
})

/** Adds `step` to each item's `n` (0 when absent); `label` may use expressions. */
export const addPlugin = defineNodeType({
  manifest: manifest('test-add', 'Add'),
  config: z.object({ step: z.number().default(1), label: z.string().optional() }),
  async execute(ctx, input) {
    return {
      out: (input.in ?? []).map((item) => ({
        ...item,
        n: Number(item.n ?? 0) + ctx.config.step,
        ...(ctx.config.label === undefined ? {} : { label: ctx.resolve(ctx.config.label, item) }),
      })),
    }
  },
})

/** Splits items by whether `n` is even, to exercise several output ports. */
export const splitPlugin = defineNodeType({
  manifest: manifest('test-split', 'Split', { outputs: [{ name: 'even' }, { name: 'odd' }] }),
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
  manifest: manifest('test-join', 'Join', { inputs: [{ name: 'a' }, { name: 'b' }] }),
  config: z.object({}),
  async execute(_ctx, input) {
    return { out: [...(input.a ?? []), ...(input.b ?? [])] }
  },
})

/** Fails with `message`. */
export const failPlugin = defineNodeType({
  manifest: manifest('test-fail', 'Fail'),
  config: z.object({ message: z.string().default('told to fail') }),
  async execute(ctx) {
    throw new NodeExecutionError(ctx.config.message)
  },
})

/** Waits `ms` (honouring its signal), then passes its input on. */
export const waitPlugin = defineNodeType({
  manifest: manifest('test-wait', 'Wait'),
  config: z.object({ ms: z.number().int().min(0).max(600_000) }),
  async execute(ctx, input) {
    await sleep(ctx.config.ms, ctx.signal)
    return { out: input.in ?? [] }
  },
})

/** Never finishes and ignores its signal on purpose: the engine must still stop waiting for it. */
export const hangPlugin = defineNodeType({
  manifest: manifest('test-hang', 'Hang'),
  config: z.object({}),
  execute: () => new Promise(() => {}),
})

/** Passes its input on but reports a partial outcome, as an AWS node does when one region fails. */
export const partialPlugin = defineNodeType({
  manifest: manifest('test-partial', 'Partial'),
  config: z.object({ message: z.string().default('one region failed') }),
  async execute(ctx, input) {
    ctx.partial(ctx.config.message, { region: 'eu-west-1' })
    return { out: input.in ?? [] }
  },
})

export const testPlugins: NodePlugin[] = [
  emitPlugin,
  mapPlugin,
  addPlugin,
  splitPlugin,
  joinPlugin,
  failPlugin,
  waitPlugin,
  hangPlugin,
  partialPlugin,
]

/** The builtin node types (trigger, AWS, control, filter, action) with the test ones. */
export const builtinAndTestPlugins: NodePlugin[] = [...builtinPlugins, ...testPlugins]

/** For `qflow run --plugin test/support/plugins.ts`: the CLI registers the builtin node types itself. */
export default testPlugins
