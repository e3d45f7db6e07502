import type { Item } from '../../core/plugin/types.ts'
import type { RunStatus, StepStatus } from '../../core/run/events.ts'
import type { RunRow, StepRow } from '../repos/runs.ts'

/**
 * qflow records in the shapes of the public QFlow API (`/qflowapi/v1`): epoch-millisecond times,
 * `workflow` / `execution` ids, capitalised statuses, steps with an `eventOrder`. Only the shape is
 * mirrored; qflow has no customers, so `customerId` is a fixed value.
 */
export const CUSTOMER_ID = 'qflow'

const RUN_STATUS: Record<RunStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Success',
  failed: 'Failed',
  cancelled: 'Cancelled',
}
const STEP_STATUS: Record<StepStatus, string> = {
  pending: 'Pending',
  running: 'Running',
  succeeded: 'Success',
  partial: 'PartialSuccess',
  failed: 'Failed',
  cancelled: 'Cancelled',
}

/** The qflow status a QQL `status:` value names (either spelling). */
export function runStatusFromCompat(value: string): RunStatus | undefined {
  const wanted = value.trim().toLowerCase()
  const entry = Object.entries(RUN_STATUS).find(
    ([ours, theirs]) => ours === wanted || theirs.toLowerCase() === wanted
  )
  return entry?.[0] as RunStatus | undefined
}

/** Runs started through this API are `PUBLIC_API`; everything else came from a trigger. */
export function sourceOf(run: RunRow): 'PUBLIC_API' | 'WORKFLOW_TRIGGER' {
  return run.triggeredBy === 'public-api' ? 'PUBLIC_API' : 'WORKFLOW_TRIGGER'
}

export function overrideVariablesOf(run: RunRow) {
  const system = [
    ...(run.accounts ?? []).map((value) => ({ key: 'connectorId', value, type: 'system' })),
    ...(run.regions ?? []).map((value) => ({ key: 'region', value, type: 'system' })),
  ]
  const user = Object.entries(run.variables ?? {}).map(([key, value]) => ({
    key,
    value,
    type: 'user-defined',
  }))
  return [...system, ...user]
}

export function presentExecution(run: RunRow) {
  return {
    id: run.id,
    execution: run.id,
    workflow: run.flowId,
    workflowVersion: run.flowVersion,
    customerId: CUSTOMER_ID,
    createdAt: run.createdAt,
    updatedAt: run.finishedAt ?? run.startedAt ?? run.createdAt,
    tags: [`triggered_by=${run.triggeredBy}`],
    status: RUN_STATUS[run.status],
    startedAt: run.startedAt,
    endedAt: run.finishedAt,
    source: sourceOf(run),
    forceRun: sourceOf(run) === 'PUBLIC_API',
    input: run.input,
    overrideVariables: overrideVariablesOf(run),
    errors: run.error ? [run.error] : [],
  }
}

export function presentExecutionStep(run: RunRow, step: StepRow) {
  const createdAt = step.startedAt ?? run.createdAt
  return {
    id: `${run.id}:${step.nodeId}`,
    createdAt,
    updatedAt: step.finishedAt ?? createdAt,
    tags: [`triggered_by=${run.triggeredBy}`],
    customerId: CUSTOMER_ID,
    eventOrder: step.position + 1,
    nodeId: step.nodeId,
    execution: run.id,
    workflow: run.flowId,
    nodeType: step.nodeType,
    status: STEP_STATUS[step.status],
    startedAt: step.startedAt,
    endedAt: step.finishedAt,
    inputCount: step.inputCount,
    outputCount: step.outputCount,
    errors: [step.error, step.warning].filter(Boolean),
    parDateKey: new Date(Math.floor(createdAt / 86_400_000) * 86_400_000).toISOString(),
  }
}

/**
 * A step's output as the public API returns it: an array of envelopes whose `input.collection`
 * holds the items. qflow nodes have named output ports, so there is one envelope per port.
 */
export function presentStepOutput(run: RunRow, nodeId: string, output: Record<string, Item[]>) {
  return Object.entries(output).map(([port, items]) => ({
    source: sourceOf(run),
    customerId: CUSTOMER_ID,
    workflowId: run.flowId,
    executionId: run.id,
    nodeId,
    port,
    forceRun: sourceOf(run) === 'PUBLIC_API',
    overrideVariables: overrideVariablesOf(run),
    input: { collection: items },
  }))
}
