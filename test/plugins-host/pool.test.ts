import { afterEach, describe, expect, it } from 'vitest'
import { coreBundle } from '../../server/plugins/core-bundle.ts'
import { PluginPool } from '../../server/plugins/pool.ts'
import { type CallHandlers, PluginWorker } from '../../server/plugins/worker-process.ts'
import { callContext, fixture } from '../support/plugin-host.ts'

const handlers: CallHandlers = { log() {}, partial() {}, aws: () => Promise.reject(new Error('no aws')) }

async function pool(dir: string, options: { callTimeoutMs?: number; maxWorkers?: number } = {}) {
  return new PluginPool({
    pluginName: 'p',
    pluginDir: fixture(dir),
    modules: dir.includes('zod-echo') ? ['./echo.js'] : ['./node.js'],
    hosts: [],
    coreSource: await coreBundle(),
    memoryMb: 64,
    rssLimitMb: 256,
    maxWorkers: options.maxWorkers ?? 1,
    callTimeoutMs: options.callTimeoutMs ?? 10_000,
  })
}

const pools: PluginPool[] = []
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()))
})

describe('the worker pool of one plugin', () => {
  it('stops a call at its hard time limit, then serves the next call from a fresh worker', async () => {
    const looping = await pool('hostile-plugins/loop-forever', { callTimeoutMs: 400 })
    pools.push(looping)
    await looping.start()
    await expect(looping.call('hostile-loop', callContext({}), {}, handlers)).rejects.toMatchObject({
      code: 'PLUGIN_TIMEOUT',
      message: 'plugin "p" did not finish within 400 ms; its worker was stopped',
    })
    await expect(looping.call('hostile-loop', callContext({}), {}, handlers)).rejects.toMatchObject({
      code: 'PLUGIN_TIMEOUT',
    })
  })

  it('stops a call when its signal aborts (a cancelled run)', async () => {
    const looping = await pool('hostile-plugins/loop-forever')
    pools.push(looping)
    await looping.start()
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('the run was cancelled')), 100)
    await expect(
      looping.call('hostile-loop', callContext({}), {}, handlers, controller.signal)
    ).rejects.toMatchObject({
      code: 'PLUGIN_CANCELLED',
      message: 'plugin "p" was stopped: the run was cancelled',
    })
  })

  it('queues calls beyond its workers and answers each with its own result', async () => {
    const echo = await pool('plugins/zod-echo', { maxWorkers: 2 })
    pools.push(echo)
    await echo.start()
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        echo.call('zod-echo', callContext({ template: `n${i}` }), { in: [{ i }] }, handlers)
      )
    )
    expect(results.map((r) => r.out?.[0]?.message)).toEqual(Array.from({ length: 8 }, (_, i) => `n${i}`))
    expect(echo.size).toBeLessThanOrEqual(2)
  })

  it('stops a worker that keeps burning CPU after its call has finished', async () => {
    const worker = new PluginWorker({
      pluginName: 'hostile-linger',
      pluginDir: fixture('hostile-plugins/linger'),
      modules: ['./node.js'],
      hosts: [],
      coreSource: await coreBundle(),
      memoryMb: 64,
      rssLimitMb: 256,
    })
    try {
      await worker.load()
      expect(await worker.call('hostile-linger', callContext({ mode: 'spin' }), {}, handlers)).toEqual({
        out: [{ answered: true }],
      })
      // The budget is one second of CPU; the loop would run for a minute.
      const stopped = await Promise.race([
        worker.exited.then(() => 'exited'),
        new Promise((resolve) => setTimeout(() => resolve('still running'), 8000)),
      ])
      expect(stopped).toBe('exited')
      expect(worker.stoppedFor).toEqual({
        code: 'PLUGIN_BACKGROUND_WORK',
        message:
          'plugin "hostile-linger" kept working after its call had finished (more than 1000 ms of CPU); its worker was stopped',
      })
    } finally {
      await worker.kill('TEST_DONE', 'test finished')
    }
  })

  it('does not hand a call to a worker stuck in a loop an earlier call left: the call runs on a fresh worker', async () => {
    const p = await pool('hostile-plugins/linger', { callTimeoutMs: 8000 })
    pools.push(p)
    await p.start()
    expect(await p.call('hostile-linger', callContext({ mode: 'spin-now' }), {}, handlers)).toEqual({
      out: [{ answered: true }],
    })
    // The only worker is now spinning; without the check this call would wait for its time limit.
    expect(await p.call('hostile-linger', callContext({ mode: 'echo' }), {}, handlers)).toEqual({
      out: [{ echo: true }],
    })
  }, 15_000)

  it('keeps at most 500 log lines of one call, each clipped, and says so', async () => {
    const p = await pool('hostile-plugins/linger')
    pools.push(p)
    await p.start()
    const lines: { level: string; message: string; data?: unknown }[] = []
    const logging: CallHandlers = {
      ...handlers,
      log: (level, message, data) => lines.push({ level, message, data }),
    }
    await p.call('hostile-linger', callContext({ mode: 'flood' }), {}, logging)
    expect(lines).toHaveLength(501)
    expect(lines[0]!.message).toMatch(/^line 0 x{3993}… \(6007 more characters\)$/)
    expect(lines[0]!.data).toBe('(log data of 10010 characters dropped)')
    expect(lines[500]).toEqual({
      level: 'warn',
      message: 'plugin "p" wrote more than 500 log lines in one call; the rest were dropped',
      data: undefined,
    })
  })
})
