import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixture, type LoadedHost, loadTestHost, pluginStep } from '../support/plugin-host.ts'

describe('a plugin whose output is not JSON, or too big, fails its node saying why', () => {
  let loaded: LoadedHost

  beforeAll(async () => {
    loaded = await loadTestHost([{ source: fixture('hostile-plugins/bad-output'), hosts: [] }], {
      limits: { memoryMb: 128, timeoutMs: 10_000, maxWorkers: 1, outputMb: 1 },
    })
  })
  afterAll(async () => {
    await loaded?.host.close()
  })

  it.each([
    ['bigint', 'item 1: .count is a BigInt'],
    ['cycle', 'item 1: .self.parent refers back to an object that contains it (a cycle)'],
    ['map', 'item 1: .tags is a Map; use a plain object or an array'],
    ['function', 'item 1: .callback is a function'],
    ['symbol', 'item 1: .kind is a Symbol'],
    ['nan', 'item 1: .ratio is NaN, which JSON cannot hold'],
    ['getter', 'item 1: reading it threw: no peeking'],
  ])('%s', async (mode, what) => {
    const step = pluginStep(await loaded.run('hostile-bad-output', { mode }))
    expect(step.status).toBe('failed')
    expect(step.error).toMatchObject({
      code: 'PLUGIN_OUTPUT_INVALID',
      message: `plugin "hostile-bad-output": its output is not JSON: port "out", ${what}`,
    })
  })

  it('output over QFLOW_PLUGIN_OUTPUT_MB is refused with the limit, before it reaches the host', async () => {
    const step = pluginStep(await loaded.run('hostile-bad-output', { mode: 'huge', megabytes: 3 }))
    expect(step.error?.code).toBe('PLUGIN_OUTPUT_TOO_LARGE')
    expect(step.error?.message).toBe(
      'plugin "hostile-bad-output": its output is 3.0 MB of JSON, over the limit of 1 MB (QFLOW_PLUGIN_OUTPUT_MB)'
    )
  })

  it('output under the limit still goes through', async () => {
    const step = pluginStep(await loaded.run('hostile-bad-output', { mode: 'none' }))
    expect(step.status).toBe('succeeded')
  })
})
