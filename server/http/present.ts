import type { FlowProblem } from '../../core/flow/validate.ts'
import type { ControlResultRow } from '../repos/control-results.ts'
import type { FlowRecord, FlowSummary, FlowVersionSummary } from '../repos/flows.ts'
import type { RunRow, RunWithSteps, StepRow } from '../repos/runs.ts'

/** How records look on the wire: times as ISO strings, durations in ms, no storage details. */
const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString())
const duration = (start: number | null, end: number | null) =>
  start != null && end != null ? end - start : null

export function presentFlow(record: FlowRecord, problems: FlowProblem[]) {
  return {
    flow: record.flow,
    version: record.version,
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
    problems,
  }
}

export function presentFlowSummary(flow: FlowSummary) {
  return { ...flow, createdAt: iso(flow.createdAt), updatedAt: iso(flow.updatedAt) }
}

export function presentFlowVersion(version: FlowVersionSummary) {
  return { ...version, createdAt: iso(version.createdAt) }
}

/**
 * A run; list rows come without `input`, so it is left out rather than shown as null. `partial`:
 * a node ended `partial` (some of its work failed, e.g. one region), from the list query or the
 * run's steps; the run's status stays `succeeded`, as the rest of its work did.
 */
export function presentRun(
  run: Omit<RunRow, 'input'> & { input?: unknown; partial?: boolean; steps?: Pick<StepRow, 'status'>[] }
) {
  return {
    id: run.id,
    flowId: run.flowId,
    flowVersion: run.flowVersion,
    status: run.status,
    partial: run.partial ?? run.steps?.some((step) => step.status === 'partial') ?? false,
    triggeredBy: run.triggeredBy,
    ...('input' in run ? { input: run.input } : {}),
    variables: run.variables,
    accounts: run.accounts,
    regions: run.regions,
    until: run.until,
    error: run.error,
    createdAt: iso(run.createdAt),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    durationMs: duration(run.startedAt, run.finishedAt),
  }
}

export function presentStep(step: StepRow) {
  return {
    nodeId: step.nodeId,
    nodeType: step.nodeType,
    status: step.status,
    startedAt: iso(step.startedAt),
    finishedAt: iso(step.finishedAt),
    durationMs: duration(step.startedAt, step.finishedAt),
    error: step.error,
    warning: step.warning,
    inputCount: step.inputCount,
    outputCount: step.outputCount,
    outputCounts: step.outputCounts ?? {},
    inputPreview: step.inputPreview,
    outputPreview: step.outputPreview,
  }
}

/** A run with its steps, as `GET /api/runs/:id` and the events' `snapshot` show it. */
export function presentRunWithSteps(run: RunWithSteps) {
  return { ...presentRun(run), steps: run.steps.map(presentStep) }
}

export function presentControlResult(row: ControlResultRow) {
  return {
    resourceId: row.resourceId,
    displayName: row.displayName,
    result: row.result,
    accountId: row.accountId,
    region: row.region,
    evidence: row.evidence,
    runId: row.runId,
    recordedAt: iso(row.recordedAt),
  }
}
