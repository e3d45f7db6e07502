import type { Flow } from '../../../core/flow/schema.ts'
import { ApiError, type QflowClient } from '../api/client.ts'
import { updateNode } from './flow-edits.ts'
import { indexProblems, problemList, problemPath, problemsByTopField } from './server-problems.ts'

/**
 * The server's problems with one node's new name and configuration, by the dialog field that shows
 * them (`label` for the name). The node is checked inside its flow, since a node's check may read
 * the flow. The server refuses a whole document for one bad part (an older stored flow with a field
 * it no longer takes, another node's name): then the check is asked again without the parts it
 * named, so one bad field elsewhere does not switch the check off for every node. A server that
 * cannot answer at all does not block the edit: the save reports problems anyway.
 */
export async function checkNode(
  client: QflowClient,
  flow: Flow,
  nodeId: string,
  label: string,
  config: Record<string, unknown>
): Promise<Record<string, string>> {
  const candidate = updateNode(flow, nodeId, { label, config })
  const ofNode = (details: unknown, doc: Flow) =>
    problemsByTopField(indexProblems(details, doc).byNode.get(nodeId) ?? {})
  try {
    return ofNode(await client.validateFlow(candidate), candidate)
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 400) return {}
    const own = ofNode(err.details, candidate)
    if (Object.keys(own).length) return own
    const rest = withoutNamedParts(candidate, err.details, nodeId)
    if (!rest) return {}
    try {
      // Only the node's own configuration problems: leaving parts out can make others (a node
      // cut off from the trigger) that the user's flow does not have.
      const problems = (await client.validateFlow(rest)).filter(
        (p) => p.nodeId === nodeId && p.code === 'CONFIG_INVALID'
      )
      return ofNode(problems, rest)
    } catch {
      return {}
    }
  }
}

/**
 * The flow without the parts a 400 named (other nodes, edges, top-level fields), keeping `nodeId`;
 * null when nothing can be left out.
 */
export function withoutNamedParts(flow: Flow, details: unknown, nodeId: string): Flow | null {
  const dropNodes = new Set<number>()
  const dropEdges = new Set<number>()
  const dropKeys = new Set<string>()
  for (const p of problemList(details)) {
    const [top, index] = problemPath(p)
    if (!top) continue
    if (top === 'nodes' && index !== undefined) dropNodes.add(Number(index))
    else if (top === 'edges' && index !== undefined) dropEdges.add(Number(index))
    else if (top !== 'nodes' && top !== 'edges') dropKeys.add(top)
  }
  if (!dropNodes.size && !dropEdges.size && !dropKeys.size) return null
  const nodes = flow.nodes.filter((n, i) => n.id === nodeId || !dropNodes.has(i))
  const kept = new Set(nodes.map((n) => n.id))
  const edges = flow.edges.filter((e, i) => !dropEdges.has(i) && kept.has(e.source) && kept.has(e.target))
  const doc: Record<string, unknown> = { ...flow, nodes, edges }
  for (const key of dropKeys) delete doc[key]
  // A name is required; the stand-in is never stored.
  if (dropKeys.has('name')) doc.name = 'Node check'
  return doc as Flow
}
