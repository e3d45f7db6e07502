import { describe, expect, it } from 'vitest'
import { canConnect } from '../../ui/src/canvas/connect-rules.ts'
import type { Graph } from '../../ui/src/canvas/graph-types.ts'

const node = (id: string) => ({
  id,
  type: 'step',
  typeVersion: 1,
  label: '',
  config: {},
  position: { x: 0, y: 0 },
})
const edge = (source: string, target: string) => ({
  id: `${source}-${target}`,
  source,
  sourcePort: 'out',
  target,
  targetPort: 'in',
})
const graph: Graph = { nodes: ['t', 'a', 'b', 'c'].map(node), edges: [edge('t', 'a'), edge('a', 'b')] }
const attempt = (source: string, target: string) => ({ source, sourcePort: 'out', target, targetPort: 'in' })

describe('canConnect', () => {
  it('accepts a new edge that keeps the graph acyclic', () => {
    expect(canConnect(graph, attempt('b', 'c'))).toEqual({ ok: true })
    expect(canConnect(graph, attempt('t', 'b'))).toEqual({ ok: true })
  })
  it('refuses a node connected to itself', () => {
    expect(canConnect(graph, attempt('a', 'a'))).toEqual({
      ok: false,
      reason: 'A node cannot connect to itself',
    })
  })
  it('refuses an edge that exists already', () => {
    expect(canConnect(graph, attempt('t', 'a'))).toEqual({
      ok: false,
      reason: 'These ports are already connected',
    })
  })
  it('refuses an edge that closes a loop, however long', () => {
    expect(canConnect(graph, attempt('b', 't'))).toEqual({
      ok: false,
      reason: 'This connection would create a loop',
    })
    expect(canConnect(graph, attempt('b', 'a'))).toMatchObject({ ok: false })
  })
})
