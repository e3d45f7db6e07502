import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../server/cli/main.ts'
import { scaffoldPlugin } from '../../server/plugins/scaffold.ts'
import { fixture } from '../support/plugin-host.ts'

/** Run the CLI entry point in this process; resolve with its exit code and what it printed. */
async function qflow(args: string[], env: Record<string, string>, cwd: string) {
  const printed = { out: '', err: '' }
  const code = await main(args, {
    out: (text) => {
      printed.out += `${text}\n`
    },
    err: (text) => {
      printed.err += `${text}\n`
    },
    env,
    cwd,
  })
  return { code, ...printed }
}

/** trigger -> tagger (the scaffolded plugin) -> a control that flags items labelled "reviewed". */
function taggerFlow() {
  const node = (id: string, type: string, config: unknown) => ({
    id,
    type,
    typeVersion: 1,
    label: id,
    config,
    position: { x: 0, y: 0 },
  })
  return {
    schemaVersion: 1,
    name: 'tag and check',
    nodes: [
      node('trigger', 'trigger', {}),
      node('tag', 'tagger', { field: 'label', value: 'reviewed' }),
      node('check', 'totalcloud-control', {
        criteria: {
          type: 'group',
          conditions: [{ type: 'param', key: 'label', operator: 'equals', value: 'reviewed' }],
        },
        resourceIdKey: 'id',
      }),
    ],
    edges: [
      { id: 'e1', source: 'trigger', sourcePort: 'out', target: 'tag', targetPort: 'in' },
      { id: 'e2', source: 'tag', sourcePort: 'out', target: 'check', targetPort: 'in' },
    ],
  }
}

describe('qflow run and validate load plugins as the server does', { timeout: 60_000 }, () => {
  let dir: string
  let pluginDir: string
  let flowFile: string
  const env = () => ({ QFLOW_PLUGINS_FILE: join(dir, 'plugins.json') })
  const runArgs = () => ['run', flowFile, '--input', '{"id":"db-1"}', '--json']

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qflow-cli-run-'))
    pluginDir = join(dir, 'qflow-plugin-tagger')
    await scaffoldPlugin('qflow-plugin-tagger', pluginDir)
    flowFile = join(dir, 'flow.json')
    await writeFile(flowFile, JSON.stringify(taggerFlow()))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  /** The tagger ran and its labelled item reached the control node, which saw the label. */
  function expectTagged(result: Awaited<ReturnType<typeof qflow>>) {
    expect(result.err).toBe('')
    expect(result.code).toBe(0)
    const outcome = JSON.parse(result.out)
    expect(outcome.status).toBe('succeeded')
    expect(outcome.steps.find((step: { nodeId: string }) => step.nodeId === 'tag')).toMatchObject({
      type: 'tagger',
      status: 'succeeded',
      outputCount: 1,
    })
    const check = outcome.steps.find((step: { nodeId: string }) => step.nodeId === 'check')
    expect(check.results).toEqual([expect.objectContaining({ resourceId: 'db-1', result: 'FAIL' })])
    expect(check.results[0].evidence.criteria.conditions[0]).toMatchObject({
      key: 'label',
      observed: 'reviewed',
    })
  }

  it('without the plugin the flow is refused, naming the missing type', async () => {
    const result = await qflow(runArgs(), env(), dir)
    expect(result.code).toBe(2)
    expect(result.err).toContain('uses type "tagger", which no installed plugin provides')
  })

  it('runs a flow with a plugin installed by `qflow plugin install`', async () => {
    const installed = await qflow(['plugin', 'install', pluginDir], env(), dir)
    expect(installed.err).toBe('')
    expect(installed.code).toBe(0)
    try {
      expectTagged(await qflow(runArgs(), env(), dir))
      const validated = await qflow(['validate', flowFile], env(), dir)
      expect(validated.out).toBe(`${flowFile}: valid (3 nodes, 2 edges)\n`)
    } finally {
      expect((await qflow(['plugin', 'remove', 'qflow-plugin-tagger'], env(), dir)).code).toBe(0)
    }
  })

  it('runs a flow with a plugin named in QFLOW_PLUGINS', async () => {
    expectTagged(await qflow(runArgs(), { ...env(), QFLOW_PLUGINS: pluginDir }, dir))
  })

  it('--plugin <folder> loads a plugin package for this run only, without recording it', async () => {
    expectTagged(await qflow([...runArgs(), '--plugin', './qflow-plugin-tagger'], env(), dir))
    expect(existsSync(join(dir, 'plugins.json'))).toBe(true)
    const listed = await qflow(['plugin', 'list', '--json'], env(), dir)
    expect(JSON.parse(listed.out).items).toEqual([])
    // Named twice (configured and --plugin), it loads once: no NODE_TYPE_DUPLICATE.
    expectTagged(
      await qflow([...runArgs(), '--plugin', pluginDir], { ...env(), QFLOW_PLUGINS: pluginDir }, dir)
    )
  })

  it("--json carries each step's output items; --verbose prints the plugin's log lines and its items", async () => {
    const json = await qflow([...runArgs(), '--plugin', pluginDir], env(), dir)
    const tag = JSON.parse(json.out).steps.find((step: { nodeId: string }) => step.nodeId === 'tag')
    expect(tag.output).toEqual({ out: [{ id: 'db-1', label: 'reviewed' }] })
    const verbose = await qflow(
      ['run', flowFile, '--input', '{"id":"db-1"}', '--plugin', pluginDir, '--verbose'],
      env(),
      dir
    )
    expect(verbose.code).toBe(0)
    expect(verbose.err).toMatch(/^\S+ INFO \[local-\d+ tag\] labelling 1 item\(s\)$/m)
    expect(verbose.out).toContain(
      `output of tag:\n${JSON.stringify({ out: [{ id: 'db-1', label: 'reviewed' }] }, null, 2)}`
    )
  })

  it('--plugin <folder> runs the code in the sandbox, not in the CLI process', async () => {
    const path = join(dir, 'written-by-plugin.txt')
    const flow = {
      schemaVersion: 1,
      name: 'hostile',
      nodes: [
        { id: 'trigger', type: 'trigger', typeVersion: 1, config: {}, position: { x: 0, y: 0 } },
        { id: 'write', type: 'hostile-write', typeVersion: 1, config: { path }, position: { x: 0, y: 0 } },
      ],
      edges: [{ id: 'e1', source: 'trigger', sourcePort: 'out', target: 'write', targetPort: 'in' }],
    }
    const hostileFlow = join(dir, 'hostile.json')
    await writeFile(hostileFlow, JSON.stringify(flow))
    const result = await qflow(
      ['run', hostileFlow, '--json', '--plugin', fixture('hostile-plugins/write-file')],
      env(),
      dir
    )
    expect(result.code).toBe(1)
    const step = JSON.parse(result.out).steps.find((s: { nodeId: string }) => s.nodeId === 'write')
    expect(step.status).toBe('failed')
    expect(step.note).toContain('community plugins may not import Node built-in "node:fs"')
    expect(existsSync(path)).toBe(false)
  })

  it('a --plugin folder that cannot load stops the command and says why', async () => {
    const denied = await qflow(
      [...runArgs(), '--plugin', './qflow-plugin-tagger'],
      { ...env(), QFLOW_PLUGINS_DENY: 'qflow-plugin-*' },
      dir
    )
    expect(denied.code).toBe(2)
    expect(denied.err).toContain(
      'qflow run: --plugin ./qflow-plugin-tagger: the plugin did not load: PLUGIN_DENIED: plugin "qflow-plugin-tagger" is on the deny list (qflow-plugin-*)'
    )
    const missing = await qflow([...runArgs(), '--plugin', './nowhere'], env(), dir)
    expect(missing.code).toBe(2)
    expect(missing.err).toContain('--plugin ./nowhere: no such file or folder')
  })

  it('a configured plugin that fails to load is a warning; flows that do not need it still run', async () => {
    const result = await qflow(
      [...runArgs(), '--plugin', pluginDir],
      { ...env(), QFLOW_PLUGINS: 'qflow-plugin-nowhere' },
      dir
    )
    expect(result.code).toBe(0)
    expect(result.err).toBe(
      'qflow: plugin qflow-plugin-nowhere did not load: PLUGIN_NOT_FOUND: package "qflow-plugin-nowhere" is not installed (npm install it first)\n'
    )
    expect(JSON.parse(result.out).status).toBe('succeeded')
  })
})
