import type { Graph } from './graph-types.ts'

export interface ConnectionAttempt {
  source: string
  sourcePort: string
  target: string
  targetPort: string
}

export type ConnectVerdict = { ok: true } | { ok: false; reason: string }

/**
 * Whether an edge may be drawn. Kept free of the DOM so the same rules refuse a drop on the canvas
 * and can be unit-tested; the server's validation remains the final word.
 */
export function canConnect(graph: Graph, attempt: ConnectionAttempt): ConnectVerdict {
  if (attempt.source === attempt.target) return { ok: false, reason: 'A node cannot connect to itself' }
  const duplicate = graph.edges.some(
    (e) =>
      e.source === attempt.source &&
      e.target === attempt.target &&
      e.sourcePort === attempt.sourcePort &&
      e.targetPort === attempt.targetPort
  )
  if (duplicate) return { ok: false, reason: 'These ports are already connected' }
  if (reaches(graph, attempt.target, attempt.source))
    return { ok: false, reason: 'This connection would create a loop' }
  return { ok: true }
}

/** True when `to` can be reached from `from` by following edges downstream. */
function reaches(graph: Graph, from: string, to: string): boolean {
  const next = new Map<string, string[]>()
  for (const edge of graph.edges) {
    const list = next.get(edge.source) ?? []
    list.push(edge.target)
    next.set(edge.source, list)
  }
  const seen = new Set<string>()
  const stack = [from]
  while (stack.length) {
    const id = stack.pop()!
    if (id === to) return true
    if (seen.has(id)) continue
    seen.add(id)
    stack.push(...(next.get(id) ?? []))
  }
  return false
}
