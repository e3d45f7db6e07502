import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRegistry } from '../../core/plugin/registry.ts'
import { builtinPlugins } from '../../plugins/index.ts'
import { createApp } from '../../server/app.ts'
import { createServerContext, type ServerContext } from '../../server/context.ts'
import { fixture, testSettings } from '../support/plugin-host.ts'
import { startWebhookReceiver } from '../support/webhook.ts'

describe('community plugins in the server', () => {
  let dir: string
  let ctx: ServerContext
  let app: ReturnType<typeof createApp>
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>
  let settings: Awaited<ReturnType<typeof testSettings>>
  const json = (method: string, path: string, body?: unknown) =>
    app.request(path, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qflow-plugins-server-'))
    hook = await startWebhookReceiver()
    settings = await testSettings({
      limits: { memoryMb: 64, timeoutMs: 2000, maxWorkers: 1 },
      entries: [
        { source: './examples/plugin-notify', hosts: [hook.host] },
        { source: fixture('hostile-plugins/loop-forever'), hosts: [] },
        { source: fixture('plugins/broken-import'), hosts: [] },
      ],
    })
    ctx = await createServerContext({
      config: { db: { url: `file:${join(dir, 'qflow.db')}` }, bodyLimit: 1024 * 1024, logLevel: 'silent' },
      registry: createRegistry(builtinPlugins),
      plugins: settings,
    })
    app = createApp(ctx)
  })
  afterAll(async () => {
    await ctx?.close(0)
    await hook?.close()
    await settings?.cleanup()
    rmSync(dir, { recursive: true, force: true })
  })

  async function waitForRun(runId: string) {
    for (let attempt = 0; attempt < 500; attempt++) {
      const run = await (await json('GET', `/api/runs/${runId}`)).json()
      if (['succeeded', 'failed', 'cancelled'].includes(run.status)) return run
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    throw new Error(`run ${runId} did not finish`)
  }

  it('GET /api/plugins lists loaded plugins and, with reasons, those that failed', async () => {
    const response = await json('GET', '/api/plugins')
    expect(response.status).toBe(200)
    const { items } = await response.json()
    expect(items).toEqual([
      expect.objectContaining({
        name: 'qflow-plugin-notify',
        version: '1.0.0',
        apiVersion: 1,
        status: 'loaded',
        nodeTypes: [{ type: 'notify', version: 1, title: 'Notify' }],
      }),
      expect.objectContaining({ name: 'hostile-loop-forever', status: 'loaded' }),
      expect.objectContaining({
        name: 'fixture-broken-import',
        status: 'failed',
        error: expect.objectContaining({ code: 'PLUGIN_LOAD_FAILED' }),
      }),
    ])
  })

  it('GET /api/node-types lists notify under the community category', async () => {
    const { items } = await (await json('GET', '/api/node-types')).json()
    expect(items.find((type: { type: string }) => type.type === 'notify')).toMatchObject({
      category: 'community',
      source: { kind: 'community', plugin: 'qflow-plugin-notify' },
      configSchema: { required: ['webhookUrl'] },
    })
  })

  it('runs a flow trigger -> control -> notify over the API; the message holds the failed resources', async () => {
    const created = await json('POST', '/api/flows', {
      id: 'public-rds-alert',
      name: 'Alert on public RDS',
      nodes: [
        { id: 'trigger', type: 'trigger', typeVersion: 1 },
        {
          id: 'control',
          type: 'totalcloud-control',
          typeVersion: 1,
          config: {
            criteria: {
              type: 'group',
              conditions: [{ type: 'param', key: 'PubliclyAccessible', operator: 'equals', value: true }],
            },
            resourceIdKey: 'id',
            displayNameKey: 'name',
          },
        },
        {
          id: 'notify',
          type: 'notify',
          typeVersion: 1,
          config: { webhookUrl: `${hook.url}/hook`, title: 'Public RDS' },
        },
        { id: 'stuck', type: 'hostile-loop', typeVersion: 1 },
      ],
      edges: [
        { id: 'e1', source: 'trigger', target: 'control' },
        { id: 'e2', source: 'control', sourcePort: 'results', target: 'notify' },
        { id: 'e3', source: 'trigger', target: 'stuck' },
      ],
    })
    expect(created.status).toBe(201)
    const saved = await created.json()
    expect(saved.problems).toEqual([])
    // Saving stamped the community nodes with their plugin.
    expect(saved.flow.nodes.find((n: { id: string }) => n.id === 'notify').plugin).toEqual({
      name: 'qflow-plugin-notify',
      version: '1.0.0',
    })
    expect(saved.flow.nodes.find((n: { id: string }) => n.id === 'control').plugin).toBeUndefined()

    const accepted = await json('POST', '/api/flows/public-rds-alert/runs', {
      input: {
        id: 'orders-db',
        name: 'resource orders-db',
        PubliclyAccessible: true,
        _qflow: { accountId: '123456789012', region: 'us-east-1' },
      },
    })
    expect(accepted.status).toBe(202)
    const run = await waitForRun((await accepted.json()).id)
    const steps = Object.fromEntries(run.steps.map((step: { nodeId: string }) => [step.nodeId, step]))
    expect(steps.notify.status).toBe('succeeded')
    // The hanging branch is stopped at its limit; the notify branch is not held up by it.
    expect(steps.stuck.status).toBe('failed')
    expect(steps.stuck.error.code).toBe('NODE_TIMEOUT')
    expect(hook.received).toHaveLength(1)
    expect((hook.received[0]!.body as { text: string }).text).toBe(
      'Public RDS: 1 of 1 item\n• resource orders-db (orders-db) [FAIL] — 123456789012 / us-east-1'
    )

    // The server keeps serving after a plugin hung.
    expect((await json('GET', '/api/plugins')).status).toBe(200)
  })
})
