import { ancestorsOf, buildGraph } from './graph.ts'
import type { Flow } from './schema.ts'
import type { FlowProblem, ProblemCode } from './validate.ts'

/** Problems of the flow's shape as a whole: no part of it can run while one stands. */
const WHOLE_FLOW: ReadonlySet<ProblemCode> = new Set(['CYCLE', 'NODE_ID_DUPLICATE', 'TRIGGER_MULTIPLE'])

/**
 * The problems that stop a run. A run till node X executes X and its ancestors only, so a problem
 * in a node after X (typically the half-configured node the user is building next) does not stop
 * it: that is how a user sees a node's output before configuring the one that consumes it.
 */
export function problemsBlockingRun(flow: Flow, problems: FlowProblem[], until?: string): FlowProblem[] {
  if (until === undefined || problems.length === 0) return problems
  const scope = ancestorsOf(buildGraph(flow.nodes, flow.edges), until)
  const edgeTargets = new Map(flow.edges.map((edge) => [edge.id, edge.target]))
  return problems.filter((problem) => {
    if (WHOLE_FLOW.has(problem.code)) return true
    // An edge problem matters when the edge feeds a node that runs.
    if (problem.edgeId !== undefined) return scope.has(edgeTargets.get(problem.edgeId) ?? '')
    if (problem.nodeId !== undefined) return scope.has(problem.nodeId)
    return true
  })
}
