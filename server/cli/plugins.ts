import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createRegistry, type PluginRegistry } from '../../core/plugin/registry.ts'
import type { NodePlugin } from '../../core/plugin/types.ts'
import { builtinPlugins } from '../../plugins/index.ts'
import { UsageError } from './command.ts'

/**
 * The built-in node types plus plugin modules named with `--plugin <file>`: a development aid
 * for trying a plugin on a flow before installing it. A module's default export is one plugin or
 * an array of them.
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
