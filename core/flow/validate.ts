import type { PluginRegistry } from '../plugin/registry.ts'
import type { NodePlugin } from '../plugin/types.ts'
import { describeIssue } from '../zod-messages.ts'
import { buildGraph, descendantsOf, nodesOnCycles, topologicalOrder } from './graph.ts'
import { type Flow, flowSchema, variableIssues } from './schema.ts'
import { issueLines } from './unknown-keys.ts'

export const PROBLEM_CODES = [
  'NODE_TYPE_UNKNOWN',
  'NODE_TYPE_TOO_NEW',
  'NODE_ID_DUPLICATE',
  'CONFIG_INVALID',
  'EDGE_DUPLICATE',
  'EDGE_SOURCE_MISSING',
  'EDGE_TARGET_MISSING',
  'EDGE_PORT_MISSING',
  'CYCLE',
  'TRIGGER_MISSING',
  'TRIGGER_MULTIPLE',
  'NODE_UNREACHABLE',
  /** A variable's value does not fit its type, or its name is used twice (flows stored before the schema checked). */
  'VARIABLE_INVALID',
  /**
   * A stored document breaks a rule added since it was saved (an unknown field, say); saves refuse
   * such documents, but stored ones are read as stored, so they still open and can be fixed.
   */
  'DOCUMENT_INVALID',
  /** Added by the server, which knows the accounts: the flow or a node names one that does not exist. */
  'ACCOUNT_UNKNOWN',
] as const
export type ProblemCode = (typeof PROBLEM_CODES)[number]

/**
 * One thing wrong with a flow. `field` is a dotted config path when the problem is in a node's
 * config (with `nodeId`), else a path in the flow document (`accounts`).
 */
export interface FlowProblem {
  code: ProblemCode
  message: string
  nodeId?: string
  edgeId?: string
  field?: string
}

/** The plugin's config schema applied to a node's config, after migrating an older typeVersion. */
export function parseNodeConfig(
  plugin: NodePlugin,
  node: { config: Record<string, unknown>; typeVersion: number }
): { ok: true; config: any } | { ok: false; issues: { field: string; message: string }[] } {
  const raw =
    plugin.migrate && node.typeVersion < plugin.manifest.version
      ? plugin.migrate(node.config, node.typeVersion)
      : node.config
  const parsed = plugin.config.safeParse(raw, { error: describeIssue })
  if (parsed.success) return { ok: true, config: parsed.data }
  return {
    ok: false,
    issues: parsed.error.issues.flatMap((issue) =>
      issueLines(plugin.config, raw, issue).map((line) => ({
        field: line.path.join('.'),
        message: line.message,
      }))
    ),
  }
}

/**
 * Every problem in a flow at once, so an editor can mark them all in one pass. An empty list means
 * the flow can be deployed and run.
 */
export function validateFlow(flow: Flow, registry: PluginRegistry): FlowProblem[] {
  const problems: FlowProblem[] = []
  const nodes = new Map<string, Flow['nodes'][number]>()
  for (const node of flow.nodes) {
    if (nodes.has(node.id)) {
      problems.push({
        code: 'NODE_ID_DUPLICATE',
        nodeId: node.id,
        message: `node id "${node.id}" is used twice`,
      })
    }
    nodes.set(node.id, node)
  }

  // The schema refuses these on save; a flow stored before it did is read as stored, so say so here.
  const variableFields = new Set<string>()
  for (const issue of variableIssues(flow.variables ?? [])) {
    const field = `variables.${issue.path.join('.')}`
    variableFields.add(field)
    problems.push({ code: 'VARIABLE_INVALID', field, message: `${field}: ${issue.message}` })
  }
  for (const { field, message } of documentIssues(flow)) {
    if (!variableFields.has(field))
      problems.push({ code: 'DOCUMENT_INVALID', field, message: `${field}: ${message}` })
  }

  const triggers: string[] = []
  for (const node of nodes.values()) {
    const plugin = registry.get(node.type)
    if (!plugin) {
      problems.push({
        code: 'NODE_TYPE_UNKNOWN',
        nodeId: node.id,
        message: node.plugin
          ? `node "${node.label || node.id}" uses type "${node.type}" from plugin "${node.plugin.name}", which is not installed`
          : `node "${node.label || node.id}" uses type "${node.type}", which no installed plugin provides`,
      })
      continue
    }
    if (plugin.manifest.category === 'trigger') triggers.push(node.id)
    if (node.typeVersion > plugin.manifest.version) {
      problems.push({
        code: 'NODE_TYPE_TOO_NEW',
        nodeId: node.id,
        message: `node "${node.id}" was written for ${node.type} v${node.typeVersion}; v${plugin.manifest.version} is installed`,
      })
      continue
    }
    const parsed = parseNodeConfig(plugin, node)
    if (!parsed.ok) {
      for (const issue of parsed.issues) {
        problems.push({
          code: 'CONFIG_INVALID',
          nodeId: node.id,
          field: issue.field,
          message: `${issue.field || 'config'}: ${issue.message}`,
        })
      }
    } else if (plugin.check) {
      for (const issue of plugin.check(parsed.config, flow, node.id)) {
        problems.push({ code: 'CONFIG_INVALID', nodeId: node.id, field: issue.field, message: issue.message })
      }
    }
  }

  const edgeKeys = new Set<string>()
  for (const edge of flow.edges) {
    const key = `${edge.source}:${edge.sourcePort}->${edge.target}:${edge.targetPort}`
    if (edgeKeys.has(key)) {
      problems.push({ code: 'EDGE_DUPLICATE', edgeId: edge.id, message: `edge "${edge.id}" repeats ${key}` })
    }
    edgeKeys.add(key)
    const source = nodes.get(edge.source)
    const target = nodes.get(edge.target)
    if (!source) {
      problems.push({
        code: 'EDGE_SOURCE_MISSING',
        edgeId: edge.id,
        message: `edge "${edge.id}" starts at node "${edge.source}", which does not exist`,
      })
    }
    if (!target) {
      problems.push({
        code: 'EDGE_TARGET_MISSING',
        edgeId: edge.id,
        message: `edge "${edge.id}" ends at node "${edge.target}", which does not exist`,
      })
    }
    const ends = [
      { node: source, port: edge.sourcePort, side: 'outputs' as const },
      { node: target, port: edge.targetPort, side: 'inputs' as const },
    ]
    for (const end of ends) {
      const ports = end.node && registry.get(end.node.type)?.manifest[end.side]
      if (!end.node || !ports || ports.some((port) => port.name === end.port)) continue
      problems.push({
        code: 'EDGE_PORT_MISSING',
        edgeId: edge.id,
        nodeId: end.node.id,
        message: `edge "${edge.id}": ${end.node.type} has no ${end.side === 'outputs' ? 'output' : 'input'} port "${end.port}" (it has ${portList(ports)})`,
      })
    }
  }

  const graph = buildGraph([...nodes.values()], flow.edges)
  const { cycle } = topologicalOrder(graph)
  if (cycle.length > 0) {
    // Report the nodes that are on a cycle, not every node downstream of one.
    const cyclic = nodesOnCycles(graph)
    const onCycle = cycle.filter((id) => cyclic.has(id))
    for (const nodeId of onCycle.length > 0 ? onCycle : cycle) {
      problems.push({ code: 'CYCLE', nodeId, message: `node "${nodeId}" is part of a cycle` })
    }
  }

  if (triggers.length === 0) {
    problems.push({ code: 'TRIGGER_MISSING', message: 'a flow needs one trigger node; it has none' })
  } else if (triggers.length > 1) {
    for (const nodeId of triggers.slice(1)) {
      problems.push({
        code: 'TRIGGER_MULTIPLE',
        nodeId,
        message: `a flow has one trigger; "${nodeId}" is a second one (the first is "${triggers[0]}")`,
      })
    }
  }
  if (triggers.length >= 1) {
    const reachable = descendantsOf(graph, triggers[0]!)
    for (const nodeId of nodes.keys()) {
      if (!reachable.has(nodeId) && !triggers.includes(nodeId)) {
        problems.push({
          code: 'NODE_UNREACHABLE',
          nodeId,
          message: `node "${nodeId}" cannot be reached from the trigger`,
        })
      }
    }
  }
  return problems
}

/** What the flow schema refuses in the document; nothing for one that was parsed by it. */
function documentIssues(flow: Flow): { field: string; message: string }[] {
  const parsed = flowSchema.safeParse(flow, { error: describeIssue })
  if (parsed.success) return []
  return parsed.error.issues.flatMap((issue) =>
    issueLines(flowSchema, flow, issue).map((line) => ({
      field: line.path.join('.') || 'flow',
      message: line.message,
    }))
  )
}

function portList(ports: { name: string }[]): string {
  return ports.length === 0 ? 'none' : ports.map((port) => `"${port.name}"`).join(', ')
}
