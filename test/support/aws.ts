import { createEngine, type RunResult } from '../../core/engine/engine.ts'
import { type FlowInput, flowSchema } from '../../core/flow/schema.ts'
import { createRegistry } from '../../core/plugin/registry.ts'
import type { Item } from '../../core/plugin/types.ts'
import { builtinPlugins } from '../../plugins/index.ts'
import type { AccountRecord } from '../../server/aws/account.ts'
import {
  type AccountSource,
  createAwsGateway,
  type GatewayOptions,
  type ServerAwsGateway,
} from '../../server/aws/gateway.ts'
import { TEST_SECRETS } from './moto-seed.ts'

/** Account records held in a map: the gateway's account source without a database. */
export function accountsOf(records: Partial<AccountRecord>[]): AccountSource {
  const byId = new Map(
    records.map((r) => [
      r.id!,
      { name: r.id!, kind: 'aws', regions: [], createdAt: 't', updatedAt: 't', ...r } as AccountRecord,
    ])
  )
  return { get: async (id) => byId.get(id) }
}

export function gatewayFor(
  records: Partial<AccountRecord>[],
  options: Partial<GatewayOptions> = {}
): ServerAwsGateway {
  return createAwsGateway({ accounts: accountsOf(records), secrets: TEST_SECRETS, ...options })
}

let runs = 0

/** Run a flow through the real engine with the builtin plugins and this gateway. */
export async function runFlow(
  aws: ServerAwsGateway,
  flow: FlowInput,
  variables?: Record<string, unknown>
): Promise<RunResult> {
  const engine = createEngine({ registry: createRegistry(builtinPlugins), services: { aws } })
  const parsed = { ...flowSchema.parse(flow), id: 'flow-test' }
  return engine.run({ runId: `run-${++runs}`, flow: parsed, ...(variables ? { variables } : {}) })
}

/** Trigger -> one node of `type` with `config`, bound to accounts and regions. */
export function oneNodeFlow(
  type: string,
  config: Record<string, unknown>,
  accounts: string[],
  regions: string[] = []
): FlowInput {
  return {
    name: `one ${type}`,
    accounts,
    regions,
    nodes: [
      { id: 'trigger', type: 'trigger', typeVersion: 1 },
      { id: 'node', type, typeVersion: 1, config },
    ],
    edges: [{ id: 'e1', source: 'trigger', target: 'node' }],
  }
}

export function outputOf(result: RunResult, nodeId = 'node', port = 'out'): Item[] {
  const step = result.steps.find((s) => s.nodeId === nodeId)
  if (!step) throw new Error(`no step ${nodeId}`)
  if (step.status === 'failed') throw new Error(`step ${nodeId} failed: ${JSON.stringify(step.error)}`)
  return step.output[port] ?? []
}

/** Trigger -> AWS Resource -> AWS Action: the action acts on what the resource node lists. */
export function resourceActionFlow(
  resource: Record<string, unknown>,
  action: Record<string, unknown>,
  accounts: string[],
  regions: string[] = [],
  variables: FlowInput['variables'] = []
): FlowInput {
  return resourceThen('aws-action', resource, action, accounts, regions, variables)
}

/** Trigger -> AWS Resource -> TotalCloud Control: the control judges what the resource node lists. */
export function resourceControlFlow(
  resource: Record<string, unknown>,
  control: Record<string, unknown>,
  accounts: string[],
  regions: string[] = []
): FlowInput {
  return resourceThen('totalcloud-control', resource, control, accounts, regions)
}

/** Trigger -> AWS Resource -> a node `node` of `type`. */
function resourceThen(
  type: string,
  resource: Record<string, unknown>,
  config: Record<string, unknown>,
  accounts: string[],
  regions: string[],
  variables: FlowInput['variables'] = []
): FlowInput {
  return {
    name: `resource then ${type}`,
    accounts,
    regions,
    variables,
    nodes: [
      { id: 'trigger', type: 'trigger', typeVersion: 1 },
      { id: 'resource', type: 'aws-resource', typeVersion: 1, config: resource },
      { id: 'node', type, typeVersion: 1, config },
    ],
    edges: [
      { id: 'e1', source: 'trigger', target: 'resource' },
      { id: 'e2', source: 'resource', target: 'node' },
    ],
  }
}
