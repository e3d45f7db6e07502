import { z } from 'zod'
import { FlowError } from '../errors.ts'
import type { NodeManifest, NodePlugin } from './types.ts'

/** A node type as listed to clients: the manifest plus its config as JSON Schema. */
export interface NodeTypeDescription extends NodeManifest {
  configSchema: unknown
}

/** Installed node types, by type name. One version of a type is installed at a time. */
export interface PluginRegistry {
  register(plugin: NodePlugin): void
  get(type: string): NodePlugin | undefined
  has(type: string): boolean
  list(): NodePlugin[]
  describe(): NodeTypeDescription[]
}

export function createRegistry(plugins: NodePlugin[] = []): PluginRegistry {
  const byType = new Map<string, NodePlugin>()
  let described: NodeTypeDescription[] | undefined
  const registry: PluginRegistry = {
    register(plugin) {
      const { type } = plugin.manifest
      if (byType.has(type))
        throw new FlowError('NODE_TYPE_DUPLICATE', `node type "${type}" is already registered`)
      byType.set(type, plugin)
      described = undefined
    },
    get: (type) => byType.get(type),
    has: (type) => byType.has(type),
    list: () => [...byType.values()],
    describe() {
      described ??= registry
        .list()
        .map((plugin) => ({ ...plugin.manifest, configSchema: configJsonSchema(plugin) }))
      return described
    },
  }
  for (const plugin of plugins) registry.register(plugin)
  return registry
}

/** The plugin's config schema as JSON Schema (input side, so defaulted fields are optional). */
export function configJsonSchema(plugin: NodePlugin): unknown {
  return z.toJSONSchema(plugin.config, { io: 'input', unrepresentable: 'any' })
}
