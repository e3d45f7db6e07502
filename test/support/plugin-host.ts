import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { z } from 'zod'
import { createEngine, type RunResult } from '../../core/engine/engine.ts'
import { defineNodeType } from '../../core/plugin/define.ts'
import { createRegistry, type PluginRegistry } from '../../core/plugin/registry.ts'
import type { Item } from '../../core/plugin/types.ts'
import { builtinPlugins } from '../../plugins/index.ts'
import type { AwsExecutor } from '../../server/plugins/aws-gateway.ts'
import { loadPlugins, type PluginHost } from '../../server/plugins/host.ts'
import {
  DEFAULT_LIMITS,
  type PluginEntry,
  type PluginLimits,
  type PluginSettings,
} from '../../server/plugins/settings.ts'
import type { CallContext } from '../../server/plugins/worker-process.ts'

export const repoRoot = resolve(import.meta.dirname, '../..')
export const fixture = (path: string) => join(repoRoot, 'test/fixtures', path)

/** What the host sends a worker with a call, for tests that drive a pool directly. */
export function callContext(config: unknown, type = 't'): CallContext {
  return {
    runId: 'r',
    flowId: 'f',
    node: { id: 'n', type, label: '' },
    config,
    variables: {},
    targets: { accounts: [], regions: [] },
    runInput: undefined,
  }
}

/** Settings for a test: a temp plugins file, the repo as base folder, tight limits unless given. */
export async function testSettings(
  overrides: Partial<PluginSettings> = {}
): Promise<PluginSettings & { cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'qflow-plugins-'))
  return {
    entries: [],
    policy: { allow: [], deny: [] },
    limits: DEFAULT_LIMITS,
    baseDir: repoRoot,
    file: join(dir, 'plugins.json'),
    ...overrides,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }
}

/**
 * Stands in for an upstream node in test flows: emits the run input's `items` on `results`, the
 * way the control node emits per-resource results.
 */
export const emitItems = defineNodeType({
  manifest: {
    type: 'test-emit-items',
    version: 1,
    title: 'Emit items',
    description: 'test helper',
    category: 'general',
    icon: 'list',
    color: '#999',
    inputs: [{ name: 'in' }],
    outputs: [{ name: 'results' }],
  },
  config: z.object({}),
  async execute(ctx) {
    return { results: ((ctx.runInput as { items?: Item[] })?.items ?? []) as Item[] }
  },
})

export interface LoadedHost {
  registry: PluginRegistry
  host: PluginHost
  run(
    type: string,
    config: Record<string, unknown>,
    items?: Item[],
    options?: { targets?: { accounts: string[]; regions: string[] } }
  ): Promise<RunResult>
}

/** Load plugin entries into a registry holding the built-ins and the test helper node. */
export async function loadTestHost(
  entries: PluginEntry[],
  options: { limits?: Partial<PluginLimits>; aws?: AwsExecutor; settings?: PluginSettings } = {}
): Promise<LoadedHost> {
  const registry = createRegistry([...builtinPlugins, emitItems])
  const base = options.settings ?? (await testSettings())
  const host = await loadPlugins({
    registry,
    settings: { ...base, entries, limits: { ...DEFAULT_LIMITS, ...options.limits } },
    ...(options.aws ? { aws: options.aws } : {}),
  })
  return { registry, host, run: pluginRunner(registry) }
}

/** Runs a flow of trigger -> test-emit-items (the items given) -> one node of `type`. */
export function pluginRunner(registry: PluginRegistry): LoadedHost['run'] {
  const engine = createEngine({ registry })
  let runs = 0
  return (type, config, items = [], runOptions = {}) => {
    return engine.run({
      runId: `run-${++runs}`,
      input: { items },
      flow: {
        id: 'flow-1',
        schemaVersion: 1,
        name: 'plugin test',
        description: '',
        categories: [],
        variables: [],
        accounts: runOptions.targets?.accounts ?? [],
        regions: runOptions.targets?.regions ?? [],
        deployed: false,
        nodes: [
          {
            id: 'trigger',
            type: 'trigger',
            typeVersion: 1,
            label: '',
            config: {},
            position: { x: 0, y: 0 },
          },
          {
            id: 'source',
            type: 'test-emit-items',
            typeVersion: 1,
            label: '',
            config: {},
            position: { x: 0, y: 0 },
          },
          { id: 'plugin', type, typeVersion: 1, label: 'plugin node', config, position: { x: 0, y: 0 } },
        ],
        edges: [
          { id: 'e1', source: 'trigger', sourcePort: 'out', target: 'source', targetPort: 'in' },
          { id: 'e2', source: 'source', sourcePort: 'results', target: 'plugin', targetPort: 'in' },
        ],
      },
    })
  }
}

/** The plugin node's step of a run. */
export function pluginStep(result: RunResult) {
  return result.steps.find((step) => step.nodeId === 'plugin')!
}
