import type { PluginRegistry } from '../../core/plugin/registry.ts'
import type { OverlapPolicy } from '../../plugins/trigger/config.ts'
import { OVERLAP_POLICIES } from '../../plugins/trigger/config.ts'
import type { StoredFlow } from '../repos/flows.ts'

/** The flow's policy for a run that starts while another is going, from its trigger's config. */
export function overlapOf(flow: StoredFlow, registry: PluginRegistry): OverlapPolicy {
  const trigger = flow.nodes.find((node) => registry.get(node.type)?.manifest.category === 'trigger')
  const value = trigger?.config.overlap
  return OVERLAP_POLICIES.includes(value as OverlapPolicy) ? (value as OverlapPolicy) : 'parallel'
}
