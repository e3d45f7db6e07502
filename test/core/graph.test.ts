import { describe, expect, it } from 'vitest'
import { ancestorsOf, buildGraph, descendantsOf, topologicalOrder } from '../../core/flow/graph.ts'

const edge = (source: string, target: string) => ({
  id: `${source}-${target}`,
  source,
  sourcePort: 'out',
  target,
  targetPort: 'in',
})
const nodes = (...ids: string[]) => ids.map((id) => ({ id }))

describe('graph', () => {
  it('orders nodes so every node comes after its parents, in a repeatable order', () => {
    const graph = buildGraph(nodes('d', 'c', 'b', 'a'), [
      edge('a', 'b'),
      edge('a', 'c'),
      edge('b', 'd'),
      edge('c', 'd'),
    ])
    expect(topologicalOrder(graph)).toEqual({ order: ['a', 'b', 'c', 'd'], cycle: [] })
  })

  it('counts a parent once when it has two edges into the same node', () => {
    const graph = buildGraph(nodes('a', 'b'), [
      edge('a', 'b'),
      { ...edge('a', 'b'), id: 'x', targetPort: 'other' },
    ])
    expect(topologicalOrder(graph).order).toEqual(['a', 'b'])
  })

  it('leaves the nodes of a cycle and what depends on them out of the order', () => {
    const graph = buildGraph(nodes('a', 'b', 'c', 'd'), [
      edge('a', 'b'),
      edge('b', 'c'),
      edge('c', 'b'),
      edge('c', 'd'),
    ])
    expect(topologicalOrder(graph)).toEqual({ order: ['a'], cycle: ['b', 'c', 'd'] })
  })

  it('finds ancestors and descendants', () => {
    const graph = buildGraph(nodes('a', 'b', 'c', 'd'), [edge('a', 'b'), edge('b', 'c'), edge('a', 'd')])
    expect([...ancestorsOf(graph, 'c')].sort()).toEqual(['a', 'b', 'c'])
    expect([...descendantsOf(graph, 'b')].sort()).toEqual(['b', 'c'])
  })

  it('ignores edges to unknown nodes', () => {
    const graph = buildGraph(nodes('a'), [edge('a', 'ghost')])
    expect(topologicalOrder(graph).order).toEqual(['a'])
  })
})
