import type { Flow, FlowNode } from '../../../core/flow/schema.ts'
import type { NodeTypeDescription } from '../../../core/plugin/registry.ts'
import { CARD_HEIGHT, CARD_WIDTH, gapAfter } from '../canvas/geometry.ts'

/** Pure edits on a flow document, shared by the editor and its tests. */

export function newId(prefix: string): string {
  const random = crypto.getRandomValues(new Uint32Array(2))
  return `${prefix}_${random[0]!.toString(36)}${random[1]!.toString(36)}`.slice(0, 20)
}

/** A new flow starts with its Trigger, as in the product. */
export function blankFlow(name = 'Untitled QFlow'): Flow {
  return {
    schemaVersion: 1,
    name,
    description: '',
    categories: [],
    variables: [],
    accounts: [],
    regions: [],
    deployed: false,
    nodes: [
      {
        id: 'trigger',
        type: 'trigger',
        typeVersion: 1,
        label: 'Trigger',
        config: { kind: 'manual' },
        position: { x: 0, y: 0 },
      },
    ],
    edges: [],
  }
}

/** A node id derived from the type ("aws-resource" → "awsResource2"), readable in expressions. */
export function nodeIdFor(flow: Flow, type: string): string {
  const base = type.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9_]/g, '')
  const taken = new Set(flow.nodes.map((n) => n.id))
  if (!taken.has(base)) return base
  for (let i = 2; ; i++) if (!taken.has(`${base}${i}`)) return `${base}${i}`
}

/** A label not used yet: "AWS Resource", then "AWS Resource 2". */
function labelFor(flow: Flow, title: string): string {
  const taken = new Set(flow.nodes.map((n) => n.label))
  if (!taken.has(title)) return title
  for (let i = 2; ; i++) if (!taken.has(`${title} ${i}`)) return `${title} ${i}`
}

/**
 * Add a node of `type`; when `after` is given it goes to the right of that node and is connected
 * from its first output, which is what the "+" after a node does. `afterOutputs` is how many
 * outputs that node has: a card with several leaves more room for its port tags' edges.
 */
export function addNode(
  flow: Flow,
  type: NodeTypeDescription,
  options: { after?: string; afterOutputs?: number; sourcePort?: string; at?: { x: number; y: number } } = {}
): { flow: Flow; node: FlowNode } {
  const source = options.after ? flow.nodes.find((n) => n.id === options.after) : undefined
  // After a node: to its right. Otherwise centred on the given point (the middle of the view).
  const start = source
    ? { x: source.position.x + CARD_WIDTH + gapAfter(options.afterOutputs ?? 1), y: source.position.y }
    : options.at
      ? { x: options.at.x - CARD_WIDTH / 2, y: options.at.y - CARD_HEIGHT / 2 }
      : { x: 0, y: 0 }
  const position = freeSpot(flow, start)
  const node: FlowNode = {
    id: nodeIdFor(flow, type.type),
    type: type.type,
    typeVersion: type.version,
    label: labelFor(flow, type.title),
    config: {},
    position: { x: Math.round(position.x), y: Math.round(position.y) },
  }
  const edges = [...flow.edges]
  if (source && type.inputs.length) {
    edges.push({
      id: newId('e'),
      source: source.id,
      sourcePort: options.sourcePort ?? 'out',
      target: node.id,
      targetPort: type.inputs[0]!.name,
    })
  }
  return { flow: { ...flow, nodes: [...flow.nodes, node], edges }, node }
}

/**
 * The first spot at or below `start` where a card overlaps no other node: siblings added after the
 * same node stack downwards, and a node added with nothing selected never lands on top of another.
 */
export function freeSpot(flow: Flow, start: { x: number; y: number }): { x: number; y: number } {
  let y = start.y
  while (
    flow.nodes.some(
      (n) =>
        Math.abs(n.position.x - start.x) < CARD_WIDTH + 20 && Math.abs(n.position.y - y) < CARD_HEIGHT + 20
    )
  )
    y += CARD_HEIGHT + 40
  return { x: start.x, y }
}

/** Fix the source port of edges added after a node whose first output is not `out`. */
export function firstOutput(types: Map<string, NodeTypeDescription>, node: FlowNode | undefined): string {
  return (node && types.get(node.type)?.outputs[0]?.name) ?? 'out'
}

export function duplicateNode(flow: Flow, nodeId: string): Flow {
  const node = flow.nodes.find((n) => n.id === nodeId)
  if (!node) return flow
  const copy: FlowNode = {
    ...structuredClone(node),
    id: nodeIdFor(flow, node.type),
    label: labelFor(flow, node.label || node.type),
    position: { x: node.position.x + 30, y: node.position.y + CARD_HEIGHT + 30 },
  }
  return { ...flow, nodes: [...flow.nodes, copy] }
}

export function updateNode(flow: Flow, nodeId: string, patch: Partial<FlowNode>): Flow {
  return { ...flow, nodes: flow.nodes.map((n) => (n.id === nodeId ? { ...n, ...patch } : n)) }
}

/** Node types the palette offers greyed out, with why: a flow has one trigger. */
export function disabledTypes(flow: Flow | null, nodeTypes: NodeTypeDescription[]): Map<string, string> {
  const out = new Map<string, string>()
  if (!flow) return out
  const hasTrigger = flow.nodes.some((n) => nodeTypes.find((t) => t.type === n.type)?.category === 'trigger')
  if (hasTrigger)
    for (const t of nodeTypes)
      if (t.category === 'trigger') out.set(t.type, 'A QFlow has one trigger; edit the existing one')
  return out
}
