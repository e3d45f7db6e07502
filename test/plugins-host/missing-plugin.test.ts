import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngine } from '../../core/engine/engine.ts'
import { type Flow, flowSchema } from '../../core/flow/schema.ts'
import { validateFlow } from '../../core/flow/validate.ts'
import { createRegistry } from '../../core/plugin/registry.ts'
import { builtinPlugins } from '../../plugins/index.ts'
import { stampPluginSources } from '../../server/plugins/stamp.ts'
import { type LoadedHost, loadTestHost } from '../support/plugin-host.ts'

const flowWithNotify = flowSchema.parse({
  id: 'f1',
  name: 'alert on public databases',
  nodes: [
    { id: 't', type: 'trigger', typeVersion: 1 },
    {
      id: 'alert',
      type: 'notify',
      typeVersion: 1,
      label: 'Tell the team',
      config: { webhookUrl: 'https://hooks.slack.com/x' },
    },
  ],
  edges: [{ id: 'e', source: 't', target: 'alert' }],
}) as Flow & { id: string }

describe('a flow whose community plugin is missing', () => {
  let loaded: LoadedHost
  let saved: Flow & { id: string }

  beforeAll(async () => {
    loaded = await loadTestHost([{ source: './examples/plugin-notify', hosts: [] }])
    // Saved where the plugin is installed: the node records which plugin provides it.
    saved = stampPluginSources(flowWithNotify, loaded.registry)
  })
  afterAll(() => loaded?.host.close())

  it('records the providing plugin on community nodes only, and it survives export and import', () => {
    expect(saved.nodes.find((n) => n.id === 'alert')?.plugin).toEqual({
      name: 'qflow-plugin-notify',
      version: '1.0.0',
    })
    expect(saved.nodes.find((n) => n.id === 't')?.plugin).toBeUndefined()
    expect(flowSchema.parse(JSON.parse(JSON.stringify(saved)))).toEqual(saved)
  })

  it('still loads, and validation names the plugin to install', () => {
    const elsewhere = createRegistry(builtinPlugins)
    const problems = validateFlow(flowSchema.parse(saved), elsewhere)
    expect(problems).toEqual([
      {
        code: 'NODE_TYPE_UNKNOWN',
        nodeId: 'alert',
        message:
          'node "Tell the team" uses type "notify" from plugin "qflow-plugin-notify", which is not installed',
      },
    ])
    // Stamping again where the plugin is missing keeps the record.
    expect(stampPluginSources(saved, elsewhere).nodes[1]?.plugin?.name).toBe('qflow-plugin-notify')
  })

  it('refuses to run the node, naming the missing plugin', async () => {
    const engine = createEngine({ registry: createRegistry(builtinPlugins) })
    const result = await engine.run({ runId: 'r1', flow: saved })
    expect(result.status).toBe('failed')
    expect(result.steps.find((step) => step.nodeId === 'alert')?.error).toEqual({
      code: 'NODE_TYPE_UNKNOWN',
      message: 'node type "notify" is not installed (plugin "qflow-plugin-notify" is missing)',
    })
  })
})
