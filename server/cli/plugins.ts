import { statSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createRegistry, type PluginRegistry } from '../../core/plugin/registry.ts'
import type { NodePlugin } from '../../core/plugin/types.ts'
import { builtinPlugins } from '../../plugins/index.ts'
import type { AwsExecutor } from '../plugins/aws-gateway.ts'
import { loadPlugins, type PluginHost, type PluginStatus } from '../plugins/host.ts'
import { type PluginSettings, pluginSettingsFromEnv } from '../plugins/settings.ts'
import { type CliIo, UsageError } from './command.ts'

/**
 * What `--plugin <path>` names, split by kind. A folder is a community plugin package: it loads
 * through the same host and sandbox as an installed one, for this command only. A file is a module
 * of trusted node types (qflow's own test helpers), imported into this process.
 */
export interface PluginArgs {
  modules: string[]
  folders: string[]
}

export function splitPluginArgs(paths: string[], cwd: string): PluginArgs {
  const split: PluginArgs = { modules: [], folders: [] }
  for (const path of paths) {
    const stat = statSync(resolve(cwd, path), { throwIfNoEntry: false })
    if (!stat) throw new UsageError(`--plugin ${path}: no such file or folder`)
    ;(stat.isDirectory() ? split.folders : split.modules).push(path)
  }
  return split
}

/**
 * The plugin settings a command loads: the configured plugins (`QFLOW_PLUGINS` and the plugins
 * file, as the server loads them) plus the `--plugin` folders, which come first and are not
 * recorded anywhere.
 */
export async function pluginSettingsWith(folders: string[], io: CliIo): Promise<PluginSettings> {
  const settings = await pluginSettingsFromEnv(io.env, io.cwd)
  const extra = folders.map((folder) => ({ source: resolve(io.cwd, folder), hosts: [] }))
  const sources = new Set(extra.map((entry) => entry.source))
  const configured = settings.entries.filter((entry) => !sources.has(resolve(io.cwd, entry.source)))
  return { ...settings, entries: [...extra, ...configured] }
}

/**
 * Say which plugins did not load. One named with `--plugin` is what the user asked to try, so it
 * stops the command (a UsageError naming the folder and the reason); a configured one that fails
 * is a warning, as at server start: flows that do not use it still run.
 */
export function reportPluginFailures(statuses: PluginStatus[], folders: string[], io: CliIo): void {
  const asked = new Set(folders.map((folder) => resolve(io.cwd, folder)))
  for (const status of statuses) {
    if (status.status !== 'failed') continue
    if (status.error?.code === 'PLUGINS_FILE_INVALID') {
      // The message names the file and the field already; "plugin <file> did not load" would not.
      io.err(`qflow: not loaded from the plugins file: ${status.error.message}`)
      continue
    }
    const reason = `${status.error?.code}: ${status.error?.message}`
    if (asked.has(status.source)) {
      const folder = folders.find((path) => resolve(io.cwd, path) === status.source)
      throw new UsageError(`--plugin ${folder}: the plugin did not load: ${reason}`)
    }
    io.err(`qflow: plugin ${status.name ?? status.source} did not load: ${reason}`)
  }
}

export interface CommandPlugins {
  registry: PluginRegistry
  host: PluginHost
  close(): Promise<void>
}

/**
 * The registry a one-shot command (`run` of a file, `validate`) works with: built-ins, `--plugin`
 * modules, and every configured and `--plugin` folder plugin loaded into sandboxed workers. Close
 * it when done, which stops the workers.
 */
export async function loadCommandPlugins(
  paths: string[],
  io: CliIo,
  aws?: AwsExecutor
): Promise<CommandPlugins> {
  const { modules, folders } = splitPluginArgs(paths, io.cwd)
  const registry = await registryWith(modules, io.cwd)
  const settings = await pluginSettingsWith(folders, io)
  const host = await loadPlugins({ settings, registry, ...(aws ? { aws } : {}) })
  try {
    reportPluginFailures(host.list(), folders, io)
  } catch (err) {
    await host.close()
    throw err
  }
  return { registry, host, close: () => host.close() }
}

/**
 * The built-in node types plus trusted plugin modules named with `--plugin <file>`. A module's
 * default export is one plugin or an array of them.
 */
export async function registryWith(modules: string[], cwd: string): Promise<PluginRegistry> {
  const registry = createRegistry(builtinPlugins)
  for (const path of modules) {
    let loaded: { default?: unknown }
    try {
      loaded = await import(pathToFileURL(resolve(cwd, path)).href)
    } catch (err) {
      throw new UsageError(`--plugin ${path}: cannot load it: ${(err as Error).message}`)
    }
    const plugins = Array.isArray(loaded.default) ? loaded.default : [loaded.default]
    for (const plugin of plugins) {
      if (!isPlugin(plugin)) throw new UsageError(`--plugin ${path}: its default export is not a node plugin`)
      registry.register(plugin)
    }
  }
  return registry
}

function isPlugin(value: unknown): value is NodePlugin {
  const candidate = value as NodePlugin | undefined
  return typeof candidate?.manifest?.type === 'string' && typeof candidate.execute === 'function'
}
