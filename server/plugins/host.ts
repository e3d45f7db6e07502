import { errorMessage, FlowError } from '../../core/errors.ts'
import type { PluginRegistry } from '../../core/plugin/registry.ts'
import type { NodePlugin } from '../../core/plugin/types.ts'
import { describeIssue } from '../../core/zod-messages.ts'
import { communityManifestSchema, communityNodeType } from './adapter.ts'
import type { AwsExecutor } from './aws-gateway.ts'
import { coreBundle } from './core-bundle.ts'
import { type PluginPackage, pluginDirOf, readPluginPackage } from './package.ts'
import { policyRefusal } from './policy.ts'
import { PluginPool } from './pool.ts'
import type { PluginEntry, PluginSettings } from './settings.ts'

/** One configured plugin as `GET /api/plugins` reports it. */
export interface PluginStatus {
  source: string
  name?: string
  version?: string
  apiVersion?: number
  status: 'loaded' | 'failed'
  error?: { code: string; message: string }
  nodeTypes: { type: string; version: number; title: string }[]
  /** Hosts its code may reach: the manifest's, plus any the operator granted. */
  network: string[]
}

export interface PluginHost {
  list(): PluginStatus[]
  /** qflow's own listening port, once known: no plugin may connect to it on this machine. */
  protectServerPort(port: number): void
  close(): Promise<void>
}

export interface LoadOptions {
  settings: PluginSettings
  registry: PluginRegistry
  aws?: AwsExecutor
}

/**
 * Load every configured plugin into the registry. A plugin that cannot load (not found, refused by
 * policy, wrong API version, bad manifest, module error, type clash) is recorded with its reason and
 * skipped: the server starts regardless, and `GET /api/plugins` says what happened (bad entries
 * of the plugins file too).
 */
export async function loadPlugins({ settings, registry, aws }: LoadOptions): Promise<PluginHost> {
  const pools: PluginPool[] = []
  const loaded = await Promise.all(settings.entries.map((entry) => prepare(entry, settings, aws, pools)))
  const statuses: PluginStatus[] = []
  for (const result of loaded) {
    if (result.status.status === 'loaded') {
      const clash = result.nodes.find((node) => registry.has(node.manifest.type))
      if (clash) {
        const owner = registry.get(clash.manifest.type)!.manifest.source
        result.status = {
          ...result.status,
          status: 'failed',
          error: {
            code: 'NODE_TYPE_DUPLICATE',
            message: `node type "${clash.manifest.type}" is already provided by ${owner?.plugin ? `plugin "${owner.plugin}"` : 'qflow itself'}`,
          },
          nodeTypes: [],
        }
        await result.pool?.close()
      } else {
        for (const node of result.nodes) registry.register(node)
      }
    }
    statuses.push(result.status)
  }
  // Entries the plugins file got wrong were never loaded; listed as failed so they are not missed.
  for (const problem of settings.fileProblems ?? []) {
    statuses.push({
      source: problem.source,
      status: 'failed',
      error: { code: 'PLUGINS_FILE_INVALID', message: problem.message },
      nodeTypes: [],
      network: [],
    })
  }
  return {
    list: () => statuses.map((status) => ({ ...status })),
    protectServerPort(port) {
      for (const pool of pools) pool.protectServerPort(port)
    },
    async close() {
      await Promise.all(pools.map((pool) => pool.close()))
    },
  }
}

interface Prepared {
  status: PluginStatus
  nodes: NodePlugin[]
  pool?: PluginPool
}

async function prepare(
  entry: PluginEntry,
  settings: PluginSettings,
  aws: AwsExecutor | undefined,
  pools: PluginPool[]
): Promise<Prepared> {
  const status: PluginStatus = { source: entry.source, status: 'failed', nodeTypes: [], network: [] }
  let pkg: PluginPackage | undefined
  let pool: PluginPool | undefined
  try {
    const dir = pluginDirOf(entry.source, settings.baseDir)
    pkg = await readPluginPackage(dir)
    Object.assign(status, { name: pkg.name, version: pkg.version, apiVersion: pkg.qflow.apiVersion })
    const refusal = policyRefusal(pkg.name, settings.policy)
    if (refusal) throw new FlowError('PLUGIN_DENIED', refusal)
    status.network = [...new Set([...pkg.qflow.network, ...entry.hosts])]
    pool = new PluginPool({
      pluginName: pkg.name,
      pluginDir: dir,
      modules: pkg.qflow.nodes,
      hosts: status.network,
      trustedHosts: entry.hosts,
      allowPrivateNetwork: settings.allowPrivateNetwork ?? false,
      serverPorts: settings.serverPorts ?? [],
      ...(settings.resolveOverrides ? { resolveOverrides: settings.resolveOverrides } : {}),
      coreSource: await coreBundle(),
      memoryMb: settings.limits.memoryMb,
      rssLimitMb: settings.limits.memoryMb * 2 + 64,
      maxWorkers: settings.limits.maxWorkers,
      ...(settings.limits.outputMb ? { outputMb: settings.limits.outputMb } : {}),
      callTimeoutMs: settings.limits.timeoutMs,
    })
    const started = pool
    const described = await started.start().catch((err: unknown) => {
      pool = undefined
      throw new FlowError('PLUGIN_LOAD_FAILED', errorMessage(err))
    })
    pools.push(started)
    const nodes = described.map((node) => {
      const manifest = communityManifestSchema.safeParse(node.manifest, { error: describeIssue })
      if (!manifest.success) {
        const issue = manifest.error.issues[0]!
        throw new FlowError(
          'PLUGIN_MANIFEST_INVALID',
          `${node.module}: manifest.${issue.path.join('.')}: ${issue.message}`
        )
      }
      try {
        return communityNodeType({
          pluginName: pkg!.name,
          pluginVersion: pkg!.version,
          manifest: manifest.data,
          configSchema: node.configSchema,
          pool: started,
          maxTimeoutMs: settings.limits.timeoutMs,
          ...(aws ? { aws } : {}),
        })
      } catch (err) {
        throw new FlowError('PLUGIN_MANIFEST_INVALID', `${node.module}: config schema: ${errorMessage(err)}`)
      }
    })
    const types = nodes.map((node) => node.manifest.type)
    const twice = types.find((type, index) => types.indexOf(type) !== index)
    if (twice) throw new FlowError('NODE_TYPE_DUPLICATE', `the plugin declares node type "${twice}" twice`)
    status.status = 'loaded'
    status.nodeTypes = nodes.map(({ manifest }) => ({
      type: manifest.type,
      version: manifest.version,
      title: manifest.title,
    }))
    return { status, nodes, pool }
  } catch (err) {
    if (pool) {
      if (pools.includes(pool)) pools.splice(pools.indexOf(pool), 1)
      await pool.close()
    }
    status.error = {
      code: err instanceof FlowError ? err.code : 'PLUGIN_LOAD_FAILED',
      message: errorMessage(err),
    }
    return { status, nodes: [] }
  }
}
