import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pluginRoutes } from '../../server/routes/plugins.ts'
import { fixture, type LoadedHost, loadTestHost, pluginStep } from '../support/plugin-host.ts'
import { startWebhookReceiver } from '../support/webhook.ts'

const hostile = (name: string) => ({ source: fixture(`hostile-plugins/${name}`), hosts: [] })
const TIMEOUT_MS = 3000

describe('hostile plugins are stopped with a clear error while the host keeps serving', () => {
  let loaded: LoadedHost
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>
  let api: Hono

  beforeAll(async () => {
    hook = await startWebhookReceiver()
    loaded = await loadTestHost(
      [
        ...['write-file', 'spawn', 'read-passwd', 'loop-forever', 'allocate', 'allocate-buffers'].map(
          hostile
        ),
        ...['allocate-untouched', 'call-stranger', 'crash', 'kill-host'].map(hostile),
        { source: './examples/plugin-notify', hosts: [hook.host] },
      ],
      { limits: { memoryMb: 64, timeoutMs: TIMEOUT_MS, maxWorkers: 1 } }
    )
    api = new Hono().route('/api', pluginRoutes({ plugins: loaded.host }))
  })
  afterAll(async () => {
    await loaded?.host.close()
    await hook?.close()
  })

  /** After each attack: the API answers, and a well-behaved plugin still runs. */
  async function expectHostHealthy() {
    const response = await api.request('/api/plugins')
    expect(response.status).toBe(200)
    const { items } = (await response.json()) as { items: { status: string }[] }
    expect(items.every((item) => item.status === 'loaded')).toBe(true)
    const before = hook.received.length
    const result = await loaded.run('notify', { webhookUrl: hook.url, only: 'all' }, [{ resourceId: 'r1' }])
    expect(result.status).toBe('succeeded')
    expect(hook.received.length).toBe(before + 1)
  }

  it('a plugin writing a file is refused the fs module and writes nothing', async () => {
    const path = join(tmpdir(), `qflow-hostile-${process.pid}.txt`)
    const step = pluginStep(await loaded.run('hostile-write', { path }))
    expect(step.status).toBe('failed')
    expect(step.error).toMatchObject({ code: 'PLUGIN_DENIED' })
    expect(step.error?.message).toBe(
      'plugin "hostile-write-file": community plugins may not import Node built-in "node:fs"; use Web APIs (fetch, URL, crypto.subtle) and ctx'
    )
    expect(existsSync(path)).toBe(false)
    await expectHostHealthy()
  })

  it('a plugin spawning a process is refused child_process', async () => {
    const step = pluginStep(await loaded.run('hostile-spawn', {}))
    expect(step.error?.code).toBe('PLUGIN_DENIED')
    expect(step.error?.message).toContain('may not import Node built-in "child_process"')
    await expectHostHealthy()
  })

  it('a plugin reading /etc/passwd cannot import files outside its folder', async () => {
    const step = pluginStep(await loaded.run('hostile-read', {}))
    expect(step.error?.code).toBe('PLUGIN_DENIED')
    expect(step.error?.message).toMatch(
      /may only import files inside its own folder; .* resolves to file:\/\/\/etc\/passwd/
    )
    await expectHostHealthy()
  })

  it('a plugin calling a host its manifest does not declare is refused before any byte is sent', async () => {
    const stranger = await startWebhookReceiver()
    try {
      const step = pluginStep(
        await loaded.run('hostile-fetch', { url: stranger.url }, [{ secret: 's3cr3t' }])
      )
      expect(step.error?.code).toBe('PLUGIN_DENIED')
      expect(step.error?.message).toBe(
        `plugin "hostile-call-stranger": the plugin may not reach "${stranger.host}": its manifest declares only these hosts: hooks.example.com`
      )
      expect(stranger.received).toEqual([])
    } finally {
      await stranger.close()
    }
    await expectHostHealthy()
  })

  it('a plugin looping forever is stopped at its time limit, and other runs go on meanwhile', async () => {
    const started = Date.now()
    const looping = loaded.run('hostile-loop', {})
    // Another run, with another plugin, finishes while the loop spins in its own process.
    await expectHostHealthy()
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS)
    const step = pluginStep(await looping)
    expect(step.error).toMatchObject({
      code: 'NODE_TIMEOUT',
      message: `node "plugin" took longer than ${TIMEOUT_MS} ms`,
    })
    // The worker that spun was replaced: the plugin answers again (with its own, still-hostile, loop).
    await expectHostHealthy()
  })

  it('a plugin allocating without bound hits its heap limit and is stopped', async () => {
    const step = pluginStep(await loaded.run('hostile-allocate', {}))
    expect(step.error).toMatchObject({
      code: 'PLUGIN_OUT_OF_MEMORY',
      message: 'plugin "hostile-allocate" ran out of memory (heap limit 64 MB) and was stopped',
    })
    await expectHostHealthy()
  })

  it('a plugin allocating buffers outside the heap is stopped by the memory ceiling', async () => {
    const step = pluginStep(await loaded.run('hostile-allocate-buffers', {}))
    expect(step.error?.code).toBe('PLUGIN_OUT_OF_MEMORY')
    expect(step.error?.message).toMatch(
      /plugin "hostile-allocate-buffers" (used more than 192 MB of memory|ran out of memory)/
    )
    await expectHostHealthy()
  })

  it('a plugin claiming memory it never touches is stopped by the claimed-memory ceiling, not its time limit', async () => {
    const started = Date.now()
    const step = pluginStep(await loaded.run('hostile-allocate-untouched', {}))
    expect(step.error).toMatchObject({
      code: 'PLUGIN_OUT_OF_MEMORY',
      message: 'plugin "hostile-allocate-untouched" claimed more than 768 MB of memory and was stopped',
    })
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS)
    await expectHostHealthy()
  })

  it('a plugin that crashes its worker fails its node and the worker is replaced', async () => {
    const first = pluginStep(await loaded.run('hostile-crash', {}))
    expect(first.error?.code).toBe('PLUGIN_CRASHED')
    expect(first.error?.message).toMatch(
      /^plugin "hostile-crash" crashed \(exit code 1\): Error: boom from a timer$/
    )
    const second = pluginStep(await loaded.run('hostile-crash', {}))
    expect(second.error?.code).toBe('PLUGIN_CRASHED')
    await expectHostHealthy()
  })

  it('a plugin cannot reach the host process: `process` does not exist in the sandbox', async () => {
    const step = pluginStep(await loaded.run('hostile-kill', {}))
    expect(step.error?.code).toBe('PLUGIN_FAILED')
    expect(step.error?.message).toContain("Cannot read properties of undefined (reading 'kill')")
    await expectHostHealthy()
  })
})
