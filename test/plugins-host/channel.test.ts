import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixture, type LoadedHost, loadTestHost, pluginStep } from '../support/plugin-host.ts'
import { startWebhookReceiver } from '../support/webhook.ts'

/**
 * The worker's channel to the host is file descriptor 3. Plugin code that writes bytes of its own
 * there must cost only its own worker: the host reads every message defensively and stops a worker
 * whose message it cannot read. This test process is the host: if it died, the test would too.
 */
describe("garbage on a worker's channel stops that worker, never the host", () => {
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>
  let loaded: LoadedHost

  beforeAll(async () => {
    hook = await startWebhookReceiver()
    loaded = await loadTestHost(
      [
        { source: fixture('hostile-plugins/garble-channel'), hosts: [hook.host] },
        { source: './examples/plugin-notify', hosts: [hook.host] },
      ],
      { limits: { memoryMb: 64, timeoutMs: 10_000, maxWorkers: 1 } }
    )
  })
  afterAll(async () => {
    await loaded?.host.close()
    await hook?.close()
  })

  async function expectHostHealthy() {
    const result = await loaded.run('notify', { webhookUrl: hook.url, only: 'all' }, [{ resourceId: 'r1' }])
    expect(result.status).toBe('succeeded')
  }

  it('console internals are not there to reach: no stream constructor behind console._stdout', async () => {
    const step = pluginStep(await loaded.run('hostile-garble', { how: 'console' }))
    expect(step.status).toBe('failed')
    expect(step.error?.code).toBe('PLUGIN_FAILED')
    expect(step.error?.message).toContain("Cannot read properties of undefined (reading 'constructor')")
    await expectHostHealthy()
  })

  it('a frame that is not JSON stops the worker with a protocol error', async () => {
    const step = pluginStep(
      await loaded.run('hostile-garble', { how: 'socket', warmUrl: `${hook.url}/warm` })
    )
    expect(step.status).toBe('failed')
    expect(step.error?.code).toBe('PLUGIN_PROTOCOL_ERROR')
    expect(step.error?.message).toMatch(
      /^plugin "hostile-garble-channel" sent the host a message it could not read \(a message of 8 bytes that is not JSON\); its worker was stopped$/
    )
    await expectHostHealthy()
  })

  it('a frame announcing more than the message limit stops the worker before it is buffered', async () => {
    const step = pluginStep(
      await loaded.run('hostile-garble', { how: 'socket', bytes: 'huge', warmUrl: `${hook.url}/warm` })
    )
    expect(step.error?.code).toBe('PLUGIN_PROTOCOL_ERROR')
    expect(step.error?.message).toContain('a message of 1073741824 bytes, over the limit of')
    await expectHostHealthy()
  })

  it('the plugin runs again on a fresh worker afterwards', async () => {
    const step = pluginStep(await loaded.run('hostile-garble', { how: 'console' }))
    expect(step.error?.code).toBe('PLUGIN_FAILED')
  })
})
