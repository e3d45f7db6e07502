import type { Flow } from '../../../core/flow/schema.ts'
import { ApiError } from '../api/client.ts'

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
  for (const p of problemList(details)) {
    const message = String(p.message ?? 'invalid')
    let nodeId = typeof p.nodeId === 'string' ? p.nodeId : undefined
    let field = typeof p.field === 'string' ? p.field : ''
    const path = problemPath(p)
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
    } else {
      // Every line names its field: two fields refused for the same reason must not read alike.
      const where = path.join('.')
      const line = where && !message.startsWith(`${where}: `) ? `${where}: ${message}` : message
      if (!index.general.includes(line)) index.general.push(line)
    }
  }
  return index
}

/** The problem objects of an error's `details`: a bare list, or one under `problems` / `issues`. */
export function problemList(details: unknown): Record<string, unknown>[] {
  const list = Array.isArray(details)
    ? details
    : details && typeof details === 'object'
      ? ((details as Record<string, unknown>).problems ?? (details as Record<string, unknown>).issues ?? [])
      : []
  return Array.isArray(list)
    ? list.filter((p): p is Record<string, unknown> => Boolean(p) && typeof p === 'object')
    : []
}

/**
 * Where a problem is, as path segments: its `path`, else (a 400's input issue, not tied to a node
 * by id) its dotted `field` such as `nodes.1.label`.
 */
export function problemPath(p: Record<string, unknown>): string[] {
  if (Array.isArray(p.path)) return p.path.map(String)
  if (typeof p.path === 'string') return p.path.split('.')
  if (typeof p.nodeId !== 'string' && typeof p.field === 'string' && p.field) return p.field.split('.')
  return []
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

/**
 * The status bar's line for a save the server refused: each node problem as `"Node" › field: message`
 * (the node's name is `name`). The flow's own problems already show beside it, so they are counted,
 * not repeated.
 */
export function unsavedLine(index: ProblemIndex, labelOf: (nodeId: string) => string): string {
  const lines: string[] = []
  for (const [nodeId, fields] of index.byNode)
    for (const [field, message] of Object.entries(fields))
      lines.push(
        `"${labelOf(nodeId)}"${field ? ` › ${field === 'label' ? 'name' : readableField(field)}` : ''}: ${message}`
      )
  if (!lines.length) return 'Not saved'
  return `Not saved: ${lines.join('; ')}`
}

/** What the status bar says for a run the server refused over named problems: which ones, not a count. */
export function refusedRunLine(err: unknown): string | null {
  const problems = err instanceof ApiError ? problemMessages(err.details) : []
  return problems.length ? `Not run: ${problems.join('; ')}` : null
}

/** The messages of the problems an API error lists under `details.problems`. */
function problemMessages(details: unknown): string[] {
  const list = (details as { problems?: unknown } | undefined)?.problems
  if (!Array.isArray(list)) return []
  return list.flatMap((p) =>
    p && typeof p === 'object' && typeof (p as { message?: unknown }).message === 'string'
      ? [(p as { message: string }).message]
      : []
  )
}
