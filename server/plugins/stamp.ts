import type { Flow } from '../../core/flow/schema.ts'
import type { PluginRegistry } from '../../core/plugin/registry.ts'

/**
 * Record on each node which community plugin provides its type, as the flow is saved. A node whose
 * type is not installed keeps the record it had: that is what names the plugin to install.
 */
export function stampPluginSources<F extends Pick<Flow, 'nodes'>>(flow: F, registry: PluginRegistry): F {
  return {
    ...flow,
    nodes: flow.nodes.map((node) => {
      const source = registry.get(node.type)?.manifest.source
      if (!source) return node
      if (source.kind !== 'community' || !source.plugin) {
        const { plugin: _, ...rest } = node
        return rest
      }
      return {
        ...node,
        plugin: { name: source.plugin, ...(source.pluginVersion ? { version: source.pluginVersion } : {}) },
      }
    }),
  }
}
