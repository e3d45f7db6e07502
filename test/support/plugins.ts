import { z } from 'zod'
import { NodeExecutionError } from '../../core/errors.ts'
import { defineNodeType } from '../../core/plugin/define.ts'
import type { Item, NodeManifest, NodePlugin } from '../../core/plugin/types.ts'

/**
 * Node types for server and CLI tests, standing in for the AWS and control plugins (built
 * elsewhere) with behaviour a test can steer through config.
 */
const manifest = (type: string, title: string, extra: Partial<NodeManifest> = {}): NodeManifest => ({
  type,
  version: 1,
  title,
  description: `test node: ${title}`,
  category: 'general',
  icon: 'flask',
  color: '#64748b',
  inputs: [{ name: 'in' }],
  outputs: [{ name: 'out' }],
  ...extra,
})

/** Emits `count` items `{n, tag}`. */
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
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ctx.config.ms)
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer)
        reject(ctx.signal.reason)
      })
    })
    return { out: input.in ?? [] }
  },
})

/**
 * A `totalcloud-control` per the contract: one result per input item, FAIL when the item's
 * `field` is true, with the item's `id` as resource id.
 */
export const verdictControlPlugin = defineNodeType({
  manifest: manifest('totalcloud-control', 'Verdict control', {
    outputs: [{ name: 'results' }, { name: 'passed' }, { name: 'failed' }],
  }),
  config: z.object({ field: z.string().default('bad') }),
  async execute(ctx, input) {
    const results: Item[] = []
    const passed: Item[] = []
    const failed: Item[] = []
    for (const item of input.in ?? []) {
      const bad = item[ctx.config.field] === true
      ;(bad ? failed : passed).push(item)
      results.push({
        resourceId: String(item.id),
        displayName: `resource ${String(item.id)}`,
        result: item.error ? 'ERROR' : bad ? 'FAIL' : 'PASS',
        accountId: '123456789012',
        region: 'us-east-1',
        evidence: { [ctx.config.field]: item[ctx.config.field] ?? null },
      })
    }
    return { results, passed, failed }
  },
})

export const testPlugins: NodePlugin[] = [emitPlugin, mapPlugin, failPlugin, waitPlugin, verdictControlPlugin]

/**
 * For `qflow run --plugin test/support/plugins.ts`. The CLI registers the builtin node types too,
 * so the stand-in control stays out: the builtin `totalcloud-control` runs the sample flow.
 */
export default testPlugins.filter((plugin) => plugin !== verdictControlPlugin)
