import { describe, expect, it } from 'vitest'
import { createEngine } from '../../core/engine/engine.ts'
import { createRegistry } from '../../core/plugin/registry.ts'
import type { NodePlugin } from '../../core/plugin/types.ts'
import trigger from '../../plugins/trigger/index.ts'
import { flow } from '../support/flows.ts'

/** A node that returns whatever it is configured to, as a careless community plugin might. */
const returns: NodePlugin = {
  manifest: {
    type: 'returns',
    version: 1,
    title: 'Returns',
    description: 'returns config.value',
    category: 'community',
    icon: 'x',
    color: '#000',
    inputs: [{ name: 'in' }],
    outputs: [{ name: 'out' }],
  },
  config: { safeParse: (value: unknown) => ({ success: true, data: value }) } as any,
  // Not async on purpose: a plain return value must work too.
  execute: ((ctx: any) => ctx.config.value) as any,
}

async function run(value: unknown) {
  const engine = createEngine({ registry: createRegistry([trigger, returns]) })
  const result = await engine.run({
    runId: 'r',
    flow: flow(
      [
        ['t', 'trigger'],
        ['n', 'returns', { value }],
      ],
      [['t', 'n']]
    ),
  })
  return result.steps.find((step) => step.nodeId === 'n')!
}

describe('engine: node output shape', () => {
  it('accepts {port: objects[]} from a plain (non-async) execute', async () => {
    const step = await run({ out: [{ a: 1 }] })
    expect(step.status).toBe('succeeded')
    expect(step.output).toEqual({ out: [{ a: 1 }] })
  })

  it.each([
    [[{ a: 1 }], /returned an array/],
    ['text', /returned string/],
    [{ out: 'x' }, /port "out": expected an array/],
    [{ out: [1] }, /port "out", item 0: items are JSON objects, got number/],
    [{ out: [null] }, /got null/],
  ])('fails the node with OUTPUT_INVALID for %j', async (value, message) => {
    const step = await run(value)
    expect(step.status).toBe('failed')
    expect(step.error?.code).toBe('OUTPUT_INVALID')
    expect(step.error?.message).toMatch(message)
  })
})
