import { describe, expect, it } from 'vitest'
import { buildGraph, nodesOnCycles } from '../../core/flow/graph.ts'

const edge = (source: string, target: string) => ({
  id: `${source}-${target}`,
  source,
  sourcePort: 'out',
  target,
  targetPort: 'in',
})
const graph = (ids: string[], edges: [string, string][]) =>
  buildGraph(
    ids.map((id) => ({ id })),
    edges.map(([s, t]) => edge(s, t))
  )

describe('nodesOnCycles', () => {
  it('finds the members of each cycle, not the nodes before or after one', () => {
    const g = graph(
      ['in', 'a', 'b', 'c', 'out', 'x', 'y', 'self'],
      [
        ['in', 'a'],
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'a'],
        ['c', 'out'],
        ['x', 'y'],
        ['y', 'x'],
        ['self', 'self'],
      ]
    )
    expect([...nodesOnCycles(g)].sort()).toEqual(['a', 'b', 'c', 'self', 'x', 'y'])
  })

  it('finds none in an acyclic graph, and handles a 100,000-node chain without recursion', () => {
    expect(
      nodesOnCycles(
        graph(
          ['a', 'b', 'c'],
          [
            ['a', 'b'],
            ['a', 'c'],
            ['b', 'c'],
          ]
        )
      ).size
    ).toBe(0)
    const ids = Array.from({ length: 100_000 }, (_, i) => `n${i}`)
    const chain = ids.slice(1).map((id, i) => [ids[i]!, id] as [string, string])
    expect(nodesOnCycles(graph(ids, chain)).size).toBe(0)
    chain.push([ids.at(-1)!, ids[0]!])
    expect(nodesOnCycles(graph(ids, chain)).size).toBe(100_000)
  })
})
