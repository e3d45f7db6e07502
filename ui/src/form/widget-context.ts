import type { Flow } from '../../../core/flow/schema.ts'
import type { QflowClient } from '../api/client.ts'

/** What a config widget may know besides its own value. */
export interface WidgetContext {
  client: QflowClient | null
  /** The whole config being edited, for pickers that depend on a sibling (method on service). */
  config: Record<string, unknown>
  /** Key paths seen in this node's last input and output, offered by key pickers. */
  keys: string[]
  /** The flow, for pickers that point at other nodes (data to evaluate). */
  flow: Flow | null
  nodeId: string | null
}

/** Widget names as plugins write them in `manifest.widgets`, folded to one spelling. */
export function canonicalWidget(name: string): string {
  const base = name
    .toLowerCase()
    .replace(/^aws-/, '')
    .replace(/[-_ ]?(picker|builder|select|selector)$/, '')
  const aliases: Record<string, string> = {
    account: 'accounts',
    accounts: 'accounts',
    'aws-account': 'accounts',
    region: 'regions',
    regions: 'regions',
    'aws-region': 'regions',
    service: 'service',
    'aws-service': 'service',
    method: 'method',
    'aws-method': 'method',
    resource: 'method',
    action: 'action',
    addon: 'addons',
    addons: 'addons',
    criteria: 'criteria',
    key: 'key',
    keys: 'keys',
    'evidence-key': 'key',
    'evidence-keys': 'keys',
    'data-key': 'data-key',
    data: 'data-key',
  }
  return aliases[base] ?? base
}
