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

/**
 * A dotted config path as words: `criteria.conditions.0.value` → "criteria › condition 1 › value".
 * The server names nested fields by path; users know them by what the dialog shows.
 */
export function readableField(field: string): string {
  const parts = field.split('.')
  const out: string[] = []
  for (const [i, part] of parts.entries()) {
    if (/^\d+$/.test(part)) {
      // "conditions 0" reads as "condition 1": the list's name in the singular, counted from one.
      const list = out.pop() ?? 'item'
      out.push(`${list.replace(/s$/, '')} ${Number(part) + 1}`)
    } else if (i === 0 || part) out.push(part)
  }
  return out.join(' › ')
}

/**
 * Problems under the form field that shows them: a nested path goes to its top-level field, the
 * rest of the path named in the message, so a criteria builder row's problem appears under
 * "criteria" as "condition 1 › value: ...".
 */
export function problemsByTopField(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [field, message] of Object.entries(fields)) {
    const [top = '', ...rest] = field.split('.')
    const text = rest.length ? `${readableField(rest.join('.'))}: ${message}` : message
    out[top] = out[top] ? `${out[top]}; ${text}` : text
  }
  return out
}

/** A node's problems for its card: a count to show, and every message (fields in words) to hover. */
export function cardProblem(fields: Record<string, string>): { count: number; text: string } {
  const lines = Object.entries(fields).map(([field, message]) =>
    field ? `${readableField(field)}: ${message}` : message
  )
  return { count: lines.length, text: lines.join('\n') }
}
