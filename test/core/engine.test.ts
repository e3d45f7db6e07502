import { describe, expect, it } from 'vitest'
import { createEngine } from '../../core/engine/engine.ts'
import { flowSchema } from '../../core/flow/schema.ts'
import { createRegistry } from '../../core/plugin/registry.ts'
import { builtinPlugins } from '../../plugins/index.ts'

describe('engine', () => {
  it('runs a trigger-only flow and passes the run input through', async () => {
    const engine = createEngine({ registry: createRegistry(builtinPlugins) })
    const flow = {
      ...flowSchema.parse({ name: 'f', nodes: [{ id: 't', type: 'trigger', typeVersion: 1 }] }),
      id: 'f1',
    }
    const result = await engine.run({ runId: 'r1', flow, input: { a: 1 } })
    expect(result.status).toBe('succeeded')
    expect(result.steps[0]?.output).toEqual({ out: [{ a: 1 }] })
  })
})
