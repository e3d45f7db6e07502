import type { Flow } from '../../../core/flow/schema.ts'
import type { QflowClient, RunRecord } from '../api/client.ts'
import { keyPathsOf } from '../form/key-paths.ts'

/**
 * Keys seen in the node's input and its own output in the shown (or latest) run, for the node
 * dialog's key pickers. A node that did not run there (the run went till the node before it, the
 * usual way to set up a control) is offered what its upstream nodes put out instead: that is what it
 * will receive. `null` when there is no run to look at.
 */
export async function keysForNode(
  client: QflowClient,
  flow: Flow & { id: string },
  shown: RunRecord | null,
  nodeId: string
): Promise<string[] | null> {
  let run = shown
  if (!run) {
    const latest = (await client.listRuns(flow.id, { limit: 1 })).items[0]?.id
    run = latest ? await client.getRun(latest) : null
  }
  if (!run) return null
  const runId = run.id
  // Ask only for steps the run has and finished: any other request is a 404 (or 409) in the console.
  const ran = new Set(
    run.steps.filter((s) => s.status !== 'pending' && s.status !== 'running').map((s) => s.nodeId)
  )
  // A sample of each port is enough to offer keys, and stays small on large outputs.
  const sample = (id: string, side: 'input' | 'output') =>
    ran.has(id) ? client.stepSample(runId, id, side, 50).catch(() => null) : Promise.resolve(null)
  const outputOf = (id: string) => sample(id, 'output')
  const [input, output] = await Promise.all([sample(nodeId, 'input'), outputOf(nodeId)])
  const payloads: unknown[] = [input, output]
  if (!input && !output) {
    const upstream = [...new Set(flow.edges.filter((e) => e.target === nodeId).map((e) => e.source))]
    for (const step of await Promise.all(upstream.map(outputOf))) payloads.push(step)
  }
  const items: unknown[] = []
  for (const payload of payloads) {
    if (!payload || typeof payload !== 'object') continue
    for (const [port, list] of Object.entries(payload as Record<string, unknown>)) {
      // A control's own `results` describe verdicts, not resources; keep to resource-shaped items.
      if (port !== 'results' && Array.isArray(list)) items.push(...list.slice(0, 50))
    }
  }
  return keyPathsOf(items)
}
