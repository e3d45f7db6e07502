import { errorMessage, FlowError, NodeExecutionError } from '../errors.ts'
import { resolveExpressions } from '../flow/expressions.ts'
import { ancestorsOf, buildGraph, topologicalOrder } from '../flow/graph.ts'
import type { Flow } from '../flow/schema.ts'
import { parseNodeConfig } from '../flow/validate.ts'
import { resolveVariables } from '../flow/variables.ts'
import type { PluginRegistry } from '../plugin/registry.ts'
import type { Item, LogLevel, NodeContext, PortItems, RunTargets, Services } from '../plugin/types.ts'
import type { RunEvent, RunStatus, StepError, StepStatus } from '../run/events.ts'
import { outputProblem } from './output.ts'
import { abortable, nodeSignal } from './signals.ts'

export interface EngineDeps {
  registry: PluginRegistry
  services?: Services
  now?: () => number
  /** Time limit for a node whose manifest and flow set none. */
  defaultTimeoutMs?: number
  log?: (level: LogLevel, message: string, data?: unknown) => void
}

export interface RunRequest {
  runId: string
  flow: Flow & { id: string }
  input?: unknown
  /** Overrides of the flow's declared variables, coerced to their types. */
  variables?: Record<string, unknown>
  /** Accounts and regions for this run only; defaults to the flow's binding. */
  targets?: Partial<RunTargets>
  /** Run only this node and its ancestors. */
  until?: string
  signal?: AbortSignal
  onEvent?: (event: RunEvent) => void
}

export interface StepResult {
  nodeId: string
  status: StepStatus
  startedAt?: number
  finishedAt?: number
  input: PortItems
  output: PortItems
  error?: StepError
  warning?: StepError
}

export interface RunResult {
  runId: string
  status: RunStatus
  startedAt: number
  finishedAt: number
  steps: StepResult[]
  error?: StepError
}

const EMPTY: PortItems = Object.freeze({}) as PortItems

/** Runs flows. Holds no state between runs, so one engine serves any number of concurrent runs. */
export function createEngine(deps: EngineDeps) {
  const now = deps.now ?? Date.now
  const defaultTimeoutMs = deps.defaultTimeoutMs ?? 15 * 60_000
  const services = deps.services ?? ({} as Services)

  return {
    /**
     * Run a flow: nodes in dependency order, independent branches at the same time. A node that
     * fails fails the nodes downstream of it, never its siblings. Resolves when every node settled;
     * it rejects only for requests that cannot start (unknown `until` node, bad variables).
     */
    async run(request: RunRequest): Promise<RunResult> {
      const { flow, runId } = request
      const emit = request.onEvent ?? (() => {})
      const graph = buildGraph(flow.nodes, flow.edges)
      const nodesById = new Map(flow.nodes.map((node) => [node.id, node]))
      if (request.until !== undefined && !nodesById.has(request.until)) {
        throw new FlowError('UNTIL_UNKNOWN', `until: the flow has no node "${request.until}"`)
      }
      const variables = resolveVariables(flow.variables, request.variables)
      const targets: RunTargets = {
        accounts: request.targets?.accounts ?? flow.accounts,
        regions: request.targets?.regions ?? flow.regions,
      }
      const { order, cycle } = topologicalOrder(graph)
      if (cycle.length > 0) throw new FlowError('FLOW_INVALID', `nodes ${cycle.join(', ')} form a cycle`)
      const selected = request.until === undefined ? undefined : ancestorsOf(graph, request.until)
      const planned = selected ? order.filter((id) => selected.has(id)) : order

      const startedAt = now()
      emit({ type: 'run.started', runId, at: startedAt, nodeIds: planned })
      const steps = new Map<string, StepResult>()
      const settled = new Map<string, Promise<StepResult>>()

      const runNode = async (nodeId: string): Promise<StepResult> => {
        const parents = [...new Set(graph.incoming.get(nodeId)!.map((edge) => edge.source))]
        const parentSteps = await Promise.all(parents.map((id) => settled.get(id)!))
        const node = nodesById.get(nodeId)!
        const step: StepResult = { nodeId, status: 'pending', input: EMPTY, output: EMPTY }
        steps.set(nodeId, step)

        const fail = (status: 'failed' | 'cancelled', error: StepError) => {
          step.status = status
          step.error = error
          step.finishedAt = now()
          emit({ type: 'node.failed', runId, at: step.finishedAt, nodeId, status, error })
          return step
        }
        if (request.signal?.aborted)
          return fail('cancelled', { code: 'CANCELLED', message: 'the run was cancelled' })
        const failedParent = parentSteps.find(
          (parent) => parent.status === 'failed' || parent.status === 'cancelled'
        )
        if (failedParent) {
          return fail(failedParent.status === 'cancelled' ? 'cancelled' : 'failed', {
            code: 'UPSTREAM_FAILED',
            message: `not run: upstream node "${failedParent.nodeId}" ${failedParent.status}`,
          })
        }

        // Gather the items of every incoming edge, port by port, in edge order.
        const input: PortItems = {}
        for (const edge of graph.incoming.get(nodeId)!) {
          const items = steps.get(edge.source)!.output[edge.sourcePort]
          if (!items || items.length === 0) {
            input[edge.targetPort] ??= []
            continue
          }
          const list = input[edge.targetPort]
          input[edge.targetPort] = list && list.length > 0 ? list.concat(items) : items
        }
        step.input = input
        step.status = 'running'
        step.startedAt = now()
        emit({ type: 'node.started', runId, at: step.startedAt, nodeId, input })

        const plugin = deps.registry.get(node.type)
        if (!plugin) {
          return fail('failed', {
            code: 'NODE_TYPE_UNKNOWN',
            message: node.plugin
              ? `node type "${node.type}" is not installed (plugin "${node.plugin.name}" is missing)`
              : `node type "${node.type}" is not installed (its plugin is missing)`,
          })
        }
        const config = parseNodeConfig(plugin, {
          config: resolveExpressions(node.config, { variables }) as Record<string, unknown>,
          typeVersion: node.typeVersion,
        })
        if (!config.ok) {
          return fail('failed', {
            code: 'CONFIG_INVALID',
            message: config.issues.map((issue) => `${issue.field || 'config'}: ${issue.message}`).join('; '),
            details: config.issues,
          })
        }

        const timeoutMs = node.timeoutMs ?? plugin.manifest.timeoutMs ?? defaultTimeoutMs
        const signal = nodeSignal(request.signal, timeoutMs)
        let partial: StepError | undefined
        const ctx: NodeContext = {
          runId,
          flowId: flow.id,
          node: { id: node.id, type: node.type, label: node.label },
          config: config.config,
          variables,
          targets,
          runInput: request.input,
          signal: signal.signal,
          log: (level, message, data) => deps.log?.(level, `[${runId} ${nodeId}] ${message}`, data),
          partial(reason, details) {
            partial = { code: 'PARTIAL', message: reason, details }
          },
          resolve: (value, item: Item) => resolveExpressions(value, { variables, item }),
          now: () => new Date(now()),
          services,
        }
        try {
          // Promise.resolve: a plugin whose execute is not async still works.
          const output = await abortable(Promise.resolve(plugin.execute(ctx, input)), signal.signal)
          const problem = outputProblem(output)
          if (problem) throw new NodeExecutionError(problem, false, undefined, 'OUTPUT_INVALID')
          step.output = output ?? {}
          step.status = partial ? 'partial' : 'succeeded'
          step.warning = partial
          step.finishedAt = now()
          emit({
            type: 'node.finished',
            runId,
            at: step.finishedAt,
            nodeId,
            status: step.status,
            output: step.output,
            ...(partial ? { warning: partial } : {}),
          })
          return step
        } catch (err) {
          if (signal.timedOut()) {
            return fail('failed', {
              code: 'NODE_TIMEOUT',
              message: `node "${nodeId}" took longer than ${timeoutMs} ms`,
            })
          }
          if (request.signal?.aborted)
            return fail('cancelled', { code: 'CANCELLED', message: 'the run was cancelled' })
          return fail('failed', {
            code: err instanceof FlowError ? err.code : 'NODE_FAILED',
            message: errorMessage(err),
            ...(err instanceof FlowError && err.details !== undefined ? { details: err.details } : {}),
          })
        } finally {
          signal.dispose()
        }
      }

      for (const nodeId of planned) settled.set(nodeId, runNode(nodeId))
      const results = await Promise.all(settled.values())
      const failed = results.find(
        (step) => step.status === 'failed' && step.error?.code !== 'UPSTREAM_FAILED'
      )
      const status: RunStatus = request.signal?.aborted
        ? 'cancelled'
        : results.some((step) => step.status === 'failed')
          ? 'failed'
          : 'succeeded'
      const error =
        status === 'failed' && failed?.error
          ? { ...failed.error, message: `node "${failed.nodeId}": ${failed.error.message}` }
          : status === 'cancelled'
            ? { code: 'CANCELLED', message: 'the run was cancelled' }
            : undefined
      const finishedAt = now()
      emit({ type: 'run.finished', runId, at: finishedAt, status, ...(error ? { error } : {}) })
      return { runId, status, startedAt, finishedAt, steps: results, ...(error ? { error } : {}) }
    },
  }
}

export type Engine = ReturnType<typeof createEngine>
