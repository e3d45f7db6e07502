import type { FlowEdge, FlowNode } from './schema.ts'

/** Adjacency of a flow's nodes, built once and shared by validation and the engine. */
export interface FlowGraph {
  nodeIds: string[]
  incoming: Map<string, FlowEdge[]>
  outgoing: Map<string, FlowEdge[]>
}

export function buildGraph(nodes: readonly Pick<FlowNode, 'id'>[], edges: readonly FlowEdge[]): FlowGraph {
  const nodeIds = nodes.map((node) => node.id)
  const incoming = new Map<string, FlowEdge[]>(nodeIds.map((id) => [id, []]))
  const outgoing = new Map<string, FlowEdge[]>(nodeIds.map((id) => [id, []]))
  for (const edge of edges) {
    // Edges to unknown nodes are a validation problem, not a graph one: leave them out here.
    if (!incoming.has(edge.target) || !outgoing.has(edge.source)) continue
    incoming.get(edge.target)!.push(edge)
    outgoing.get(edge.source)!.push(edge)
  }
  return { nodeIds, incoming, outgoing }
}

/**
 * Kahn's algorithm: nodes in dependency order. Roots come in document order and later nodes in edge
 * order, so the same flow always runs in the same order.
 * `cycle` lists the nodes left over when the graph is not acyclic.
 */
export function topologicalOrder(graph: FlowGraph): { order: string[]; cycle: string[] } {
  const pending = new Map<string, number>()
  for (const id of graph.nodeIds) pending.set(id, new Set(graph.incoming.get(id)!.map((e) => e.source)).size)
  const order: string[] = []
  const ready = graph.nodeIds.filter((id) => pending.get(id) === 0)
  while (ready.length > 0) {
    const id = ready.shift()!
    order.push(id)
    for (const target of new Set(graph.outgoing.get(id)!.map((e) => e.target))) {
      const left = pending.get(target)! - 1
      pending.set(target, left)
      if (left === 0) ready.push(target)
    }
  }
  const placed = new Set(order)
  return { order, cycle: graph.nodeIds.filter((id) => !placed.has(id)) }
}

function walk(start: string, next: (id: string) => string[]): Set<string> {
  const seen = new Set<string>([start])
  const stack = [start]
  while (stack.length > 0) {
    for (const id of next(stack.pop()!)) {
      if (!seen.has(id)) {
        seen.add(id)
        stack.push(id)
      }
    }
  }
  return seen
}

/** The node and every node it depends on, directly or not. */
export function ancestorsOf(graph: FlowGraph, nodeId: string): Set<string> {
  return walk(nodeId, (id) => (graph.incoming.get(id) ?? []).map((e) => e.source))
}

/** The node and every node that depends on it. */
export function descendantsOf(graph: FlowGraph, nodeId: string): Set<string> {
  return walk(nodeId, (id) => (graph.outgoing.get(id) ?? []).map((e) => e.target))
}

/**
 * The nodes that lie on a cycle: members of a strongly connected component of two or more nodes,
 * or with an edge to themselves. Tarjan's algorithm, iterative so a long chain cannot overflow
 * the stack, linear in nodes plus edges so a large hostile flow validates quickly.
 */
export function nodesOnCycles(graph: FlowGraph): Set<string> {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  const result = new Set<string>()
  let counter = 0
  const successors = (id: string) => graph.outgoing.get(id)!.map((edge) => edge.target)

  for (const root of graph.nodeIds) {
    if (index.has(root)) continue
    const work: { id: string; next: string[]; at: number }[] = []
    const enter = (id: string) => {
      index.set(id, counter)
      low.set(id, counter)
      counter++
      stack.push(id)
      onStack.add(id)
      work.push({ id, next: successors(id), at: 0 })
    }
    enter(root)
    while (work.length > 0) {
      const frame = work[work.length - 1]!
      if (frame.at < frame.next.length) {
        const target = frame.next[frame.at++]!
        if (!index.has(target)) enter(target)
        else if (onStack.has(target)) low.set(frame.id, Math.min(low.get(frame.id)!, index.get(target)!))
        continue
      }
      work.pop()
      const parent = work[work.length - 1]
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!))
      if (low.get(frame.id) !== index.get(frame.id)) continue
      const component: string[] = []
      let member: string
      do {
        member = stack.pop()!
        onStack.delete(member)
        component.push(member)
      } while (member !== frame.id)
      const selfLoop = component.length === 1 && frame.next.includes(frame.id)
      if (component.length > 1 || selfLoop) for (const id of component) result.add(id)
    }
  }
  return result
}
