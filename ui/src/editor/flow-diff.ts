import type { Flow } from '../../../core/flow/schema.ts'

/**
 * What differs between two versions of a flow, in words a user can act on ("node Filter: config
 * changed"). Shown when a save hits a newer version on the server, with `mine` the version the
 * editor started from (so the user's own unsaved edits are not listed as theirs).
 */
export function describeFlowChanges(mine: Flow, theirs: Flow): string[] {
  const changes: string[] = []
  for (const key of ['name', 'description'] as const)
    if (mine[key] !== theirs[key]) changes.push(`${key} changed to "${theirs[key]}"`)
  for (const key of ['categories', 'accounts', 'regions', 'deployed', 'variables'] as const)
    if (JSON.stringify(mine[key]) !== JSON.stringify(theirs[key])) changes.push(`${key} changed`)
  const mineNodes = new Map(mine.nodes.map((n) => [n.id, n]))
  const theirNodes = new Map(theirs.nodes.map((n) => [n.id, n]))
  for (const [id, node] of theirNodes) {
    const other = mineNodes.get(id)
    const name = node.label || node.type
    if (!other) changes.push(`node "${name}" added`)
    else {
      if (JSON.stringify(other.config) !== JSON.stringify(node.config))
        changes.push(`node "${name}": configuration changed`)
      if (other.label !== node.label)
        changes.push(`node "${other.label || other.type}" renamed to "${node.label}"`)
      if (other.position.x !== node.position.x || other.position.y !== node.position.y)
        changes.push(`node "${name}" moved`)
    }
  }
  for (const [id, node] of mineNodes)
    if (!theirNodes.has(id)) changes.push(`node "${node.label || node.type}" removed`)
  const edgeKey = (e: Flow['edges'][number]) => `${e.source}:${e.sourcePort}->${e.target}:${e.targetPort}`
  const mineEdges = new Set(mine.edges.map(edgeKey))
  const theirEdges = new Set(theirs.edges.map(edgeKey))
  const added = [...theirEdges].filter((e) => !mineEdges.has(e)).length
  const removed = [...mineEdges].filter((e) => !theirEdges.has(e)).length
  if (added) changes.push(`${added} connection${added > 1 ? 's' : ''} added`)
  if (removed) changes.push(`${removed} connection${removed > 1 ? 's' : ''} removed`)
  return changes
}
