import type { Flow } from '../../../core/flow/schema.ts'

/** Problems the server reported for a flow, sorted by where the editor shows them. */
export interface ProblemIndex {
  /** Per node id: dotted config field (or '' for the node as a whole) → message, without the field's name. */
  byNode: Map<string, Record<string, string>>
  /** Problems not tied to a node (name, edges, the flow as a whole). */
  general: string[]
}

/**
 * Reads an error's `details` in the shapes the API uses: a list of flow problems
 * (`{nodeId, field, message}`) or of schema issues with a path (`nodes.2.config.criteria` or
 * `['nodes', 2, 'config', ...]`), bare or under `problems` / `issues`.
 */
export function indexProblems(details: unknown, flow: Flow): ProblemIndex {
  const index: ProblemIndex = { byNode: new Map(), general: [] }
  const list = Array.isArray(details)
    ? details
    : details && typeof details === 'object'
      ? ((details as Record<string, unknown>).problems ?? (details as Record<string, unknown>).issues ?? [])
      : []
  if (!Array.isArray(list)) return index
  for (const raw of list) {
    if (!raw || typeof raw !== 'object') continue
    const p = raw as Record<string, unknown>
    const message = String(p.message ?? 'invalid')
    let nodeId = typeof p.nodeId === 'string' ? p.nodeId : undefined
    let field = typeof p.field === 'string' ? p.field : ''
    const path = Array.isArray(p.path)
      ? p.path.map(String)
      : typeof p.path === 'string'
        ? p.path.split('.')
        : []
    if (!nodeId && path[0] === 'nodes' && path[1] !== undefined) {
      nodeId = flow.nodes[Number(path[1])]?.id
      field = path[2] === 'config' ? path.slice(3).join('.') : path.slice(2).join('.')
    }
    if (field.startsWith('config.')) field = field.slice('config.'.length)
    if (nodeId) {
      // Messages name their field ("criteria: ..."); under that field's label the name is noise.
      const own = field && message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message
      const entry = index.byNode.get(nodeId) ?? {}
      entry[field] = entry[field] ? `${entry[field]}; ${own}` : own
      index.byNode.set(nodeId, entry)
    } else index.general.push(path.length ? `${path.join('.')}: ${message}` : message)
  }
  return index
}
