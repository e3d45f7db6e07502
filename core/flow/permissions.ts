import type { PluginRegistry } from '../plugin/registry.ts'
import type { Flow } from './schema.ts'

export interface NodePermissions {
  nodeId: string
  type: string
  permissions: string[]
}

/**
 * The IAM actions a flow needs, node by node and together, from each node type's `permissionsFor`
 * (what this configuration calls) or, without one or when the config does not parse, the type's
 * manifest list (everything the type may call). What an operator grants the role a qflow account
 * assumes, and no more.
 */
export function flowPermissions(
  flow: Flow,
  registry: PluginRegistry
): { nodes: NodePermissions[]; permissions: string[] } {
  const nodes: NodePermissions[] = []
  for (const node of flow.nodes) {
    const plugin = registry.get(node.type)
    if (!plugin) continue
    const config = plugin.config.safeParse(node.config)
    const permissions =
      config.success && plugin.permissionsFor
        ? plugin.permissionsFor(config.data)
        : (plugin.manifest.permissions ?? [])
    if (permissions.length > 0) nodes.push({ nodeId: node.id, type: node.type, permissions })
  }
  const all = [...new Set(nodes.flatMap((node) => node.permissions))].sort()
  return { nodes, permissions: all }
}
