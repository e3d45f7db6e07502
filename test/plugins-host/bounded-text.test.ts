import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { coreBundle } from '../../server/plugins/core-bundle.ts'
import { PluginPool } from '../../server/plugins/pool.ts'
import type { CallHandlers } from '../../server/plugins/worker-process.ts'
import { callContext, fixture, type LoadedHost, loadTestHost, pluginStep } from '../support/plugin-host.ts'

describe("a plugin's log lines and errors reach the host in a shape it can trust", () => {
  let pool: PluginPool
  let loaded: LoadedHost

  beforeAll(async () => {
    pool = new PluginPool({
      pluginName: 'hostile-noisy',
      pluginDir: fixture('hostile-plugins/noisy'),
      modules: ['./node.js'],
      hosts: [],
      coreSource: await coreBundle(),
      memoryMb: 64,
      rssLimitMb: 256,
      maxWorkers: 1,
      callTimeoutMs: 10_000,
    })
    await pool.start()
    loaded = await loadTestHost([{ source: fixture('hostile-plugins/noisy'), hosts: [] }], {
      limits: { memoryMb: 128, timeoutMs: 10_000, maxWorkers: 1 },
    })
  })
  afterAll(async () => {
    await pool?.close()
    await loaded?.host.close()
  })

  it('log levels are one of debug, info, warn, error, and a line cannot forge another line', async () => {
    const lines: { level: string; message: string }[] = []
    const handlers: CallHandlers = {
      log: (level, message) => lines.push({ level, message }),
      partial() {},
      aws: () => Promise.reject(new Error('no aws')),
    }
    await pool.call('hostile-noisy', callContext({ mode: 'log' }), {}, handlers)
    expect(lines).toEqual([
      { level: 'info', message: 'made-up level' },
      { level: 'info', message: 'huge level' },
      {
        level: 'error',
        message: 'first line\\n2026-01-01T00:00:00Z [error] forged line\\r\\u001b[31mred',
      },
      { level: 'warn', message: 'console too\\nforged' },
    ])
  })

  it('an error with a 5 MB message, code and name is clipped before it reaches the run record', async () => {
    const step = pluginStep(await loaded.run('hostile-noisy', { mode: 'throw' }))
    expect(step.status).toBe('failed')
    expect(step.error?.code).toBe('PLUGIN_FAILED')
    const prefix = 'plugin "hostile-noisy": '
    expect(step.error?.message).toBe(
      `${prefix}${'m'.repeat(4000 - prefix.length)}… (${5_000_000 - 4000 + prefix.length} more characters)`
    )
    expect(JSON.stringify(step.error).length).toBeLessThan(5000)
  })
})

describe('a thrown value that resists being read fails the call at once', () => {
  let loaded: LoadedHost
  beforeAll(async () => {
    // A generous time limit: a hang would show as NODE_TIMEOUT, never as the error below.
    loaded = await loadTestHost([{ source: fixture('hostile-plugins/bad-throw'), hosts: [] }], {
      limits: { memoryMb: 64, timeoutMs: 60_000, maxWorkers: 1 },
    })
  })
  afterAll(async () => {
    await loaded?.host.close()
  })

  it.each(['getter', 'proxy'])('%s', async (mode) => {
    const step = pluginStep(await loaded.run('hostile-bad-throw', { mode }))
    expect(step.error).toMatchObject({
      code: 'PLUGIN_FAILED',
      message: 'plugin "hostile-bad-throw": the plugin threw a value whose message cannot be read',
    })
  })
})
