import { type Flow, type FlowInput, flowSchema } from '../../core/flow/schema.ts'

type NodeSpec = [id: string, type: string, config?: Record<string, unknown>]
type EdgeSpec = [source: string, target: string, sourcePort?: string, targetPort?: string]

/** A parsed flow from terse node and edge lists: `flow([['t','trigger'],['a','test-add']], [['t','a']])`. */
export function flow(
  nodes: NodeSpec[],
  edges: EdgeSpec[],
  extra: Partial<FlowInput> = {}
): Flow & { id: string } {
  const parsed = flowSchema.parse({
    name: 'test flow',
    ...extra,
    nodes: nodes.map(([id, type, config], index) => ({
      id,
      type,
      typeVersion: 1,
      config: config ?? {},
      position: { x: index * 200, y: 0 },
    })),
    edges: edges.map(([source, target, sourcePort, targetPort]) => ({
      id: `${source}-${target}-${sourcePort ?? 'out'}-${targetPort ?? 'in'}`,
      source,
      target,
      sourcePort: sourcePort ?? 'out',
      targetPort: targetPort ?? 'in',
    })),
  })
  return { ...parsed, id: parsed.id ?? 'flow-1' }
}
