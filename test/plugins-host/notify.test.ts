import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validateFlow } from '../../core/flow/validate.ts'
import { installPlugin } from '../../server/plugins/install.ts'
import { pluginSettingsFromEnv } from '../../server/plugins/settings.ts'
import { type LoadedHost, loadTestHost, pluginStep, repoRoot, testSettings } from '../support/plugin-host.ts'
import { startWebhookReceiver } from '../support/webhook.ts'

const controlResults = [
  {
    resourceId: 'db-orders',
    displayName: 'orders',
    result: 'FAIL',
    accountId: '111111111111',
    region: 'us-east-1',
    evidence: {},
  },
  {
    resourceId: 'db-users',
    displayName: 'users',
    result: 'PASS',
    accountId: '111111111111',
    region: 'us-east-1',
    evidence: {},
  },
  {
    resourceId: 'db-billing',
    displayName: 'billing',
    result: 'FAIL',
    accountId: '222222222222',
    region: 'eu-west-1',
    evidence: {},
  },
]

describe('the notify example plugin, installed from its folder', () => {
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>
  let settings: Awaited<ReturnType<typeof testSettings>>
  let loaded: LoadedHost

  beforeAll(async () => {
    hook = await startWebhookReceiver()
    settings = await testSettings()
    // As an operator would: install it, granting the local receiver as an extra host.
    const status = await installPlugin('./examples/plugin-notify', { settings, hosts: [hook.host] })
    expect(status).toMatchObject({ name: 'qflow-plugin-notify', status: 'loaded' })
    const fromEnv = await pluginSettingsFromEnv({ QFLOW_PLUGINS_FILE: settings.file }, repoRoot)
    loaded = await loadTestHost(fromEnv.entries, { settings })
  })
  afterAll(async () => {
    await loaded?.host.close()
    await hook?.close()
    await settings?.cleanup()
  })

  it('lists notify as a community node type with its source and a JSON Schema config', () => {
    const notify = loaded.registry.describe().find((type) => type.type === 'notify')
    expect(notify).toMatchObject({
      category: 'community',
      source: { kind: 'community', plugin: 'qflow-plugin-notify', pluginVersion: '1.0.0' },
      inputs: [{ name: 'in' }],
    })
    expect(notify?.configSchema).toMatchObject({
      properties: { webhookUrl: { type: 'string' } },
      required: ['webhookUrl'],
    })
    expect(loaded.host.list()[0]).toMatchObject({
      status: 'loaded',
      nodeTypes: [{ type: 'notify', version: 1, title: 'Notify' }],
      network: ['hooks.slack.com', hook.host],
    })
  })

  it('posts the failed resources of a control to the webhook and passes its items on', async () => {
    const result = await loaded.run(
      'notify',
      { webhookUrl: `${hook.url}/services/T1/B1`, title: 'Public RDS' },
      controlResults
    )
    expect(result.status).toBe('succeeded')
    expect(pluginStep(result).output.out).toEqual(controlResults)
    const post = hook.received.at(-1)!
    expect(post).toMatchObject({ method: 'POST', path: '/services/T1/B1' })
    expect(post.headers['content-type']).toBe('application/json')
    const text = (post.body as { text: string }).text
    expect(text).toContain('Public RDS: 2 of 3 items')
    expect(text).toContain('orders (db-orders) [FAIL] — 111111111111 / us-east-1')
    expect(text).toContain('billing (db-billing) [FAIL] — 222222222222 / eu-west-1')
    expect(text).not.toContain('users')
    expect((post.body as { blocks: unknown[] }).blocks).toHaveLength(2)
  })

  it('posts nothing when no resource failed', async () => {
    const before = hook.received.length
    const result = await loaded.run('notify', { webhookUrl: hook.url }, [controlResults[1]!])
    expect(result.status).toBe('succeeded')
    expect(hook.received.length).toBe(before)
  })

  it('rejects a config without a webhook URL before running, naming the field', () => {
    const problems = validateFlow(
      {
        schemaVersion: 1,
        name: 'f',
        description: '',
        categories: [],
        variables: [],
        accounts: [],
        regions: [],
        deployed: false,
        nodes: [
          { id: 't', type: 'trigger', typeVersion: 1, label: '', config: {}, position: { x: 0, y: 0 } },
          {
            id: 'n',
            type: 'notify',
            typeVersion: 1,
            label: '',
            config: { title: 'x' },
            position: { x: 0, y: 0 },
          },
        ],
        edges: [{ id: 'e', source: 't', sourcePort: 'out', target: 'n', targetPort: 'in' }],
      },
      loaded.registry
    )
    expect(problems).toEqual([
      expect.objectContaining({ code: 'CONFIG_INVALID', nodeId: 'n', field: 'webhookUrl' }),
    ])
  })

  it('fails the node with the status when the webhook refuses the message', async () => {
    const refusing = await startWebhookReceiver(500)
    const local = await loadTestHost([{ source: './examples/plugin-notify', hosts: [refusing.host] }])
    try {
      const result = await local.run('notify', { webhookUrl: refusing.url }, controlResults)
      expect(pluginStep(result).error).toMatchObject({
        code: 'PLUGIN_FAILED',
        message: 'plugin "qflow-plugin-notify": the webhook answered 500: no',
      })
    } finally {
      await local.host.close()
      await refusing.close()
    }
  })

  it('cannot reach a webhook whose host neither the manifest nor the operator allowed', async () => {
    const local = await loadTestHost([{ source: './examples/plugin-notify', hosts: [] }])
    try {
      const before = hook.received.length
      const result = await local.run('notify', { webhookUrl: hook.url }, controlResults)
      expect(pluginStep(result).error?.code).toBe('PLUGIN_DENIED')
      expect(pluginStep(result).error?.message).toContain(`may not reach "${hook.host}"`)
      expect(pluginStep(result).error?.message).toContain('hooks.slack.com')
      expect(hook.received.length).toBe(before)
    } finally {
      await local.host.close()
    }
  })
})
