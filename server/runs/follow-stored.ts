import type { StepStatus } from '../../core/run/events.ts'
import { TERMINAL_RUN_STATUSES } from '../../core/run/events.ts'
import type { ItemsPreview } from '../db/schema/runs.ts'
import type { RunRow, RunWithSteps, StepRow } from '../repos/runs.ts'
import type { LiveRunEvent } from './live.ts'

/** How often a run executed elsewhere is read again: quick enough to watch, light on the database. */
export const FOLLOW_POLL_MS = 300

export type FollowedEvent =
  /** The run started over (handed back to the queue, or taken over): its whole state again. */
  { kind: 'snapshot'; run: RunWithSteps } | { kind: 'event'; event: LiveRunEvent }

const FINISHED_STEP: StepStatus[] = ['succeeded', 'partial', 'failed', 'cancelled']
const EMPTY_PREVIEW: ItemsPreview = { ports: {}, truncated: false }

/**
 * The live events of a run that another process executes (or that no process has claimed yet),
 * read from the database: the stored run and its steps are compared with what was last seen, and
 * each change becomes the event the executing process published. Ends after `run.finished`, when
 * the run is gone, or when `stopped()` says the client left.
 */
export async function* followStoredRun(
  read: (runId: string) => Promise<RunWithSteps | undefined>,
  initial: RunWithSteps,
  options: { stopped: () => boolean; pollMs?: number; sleep?: (ms: number) => Promise<void> }
): AsyncGenerator<FollowedEvent> {
  const pollMs = options.pollMs ?? FOLLOW_POLL_MS
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  let last = initial
  while (!options.stopped()) {
    await sleep(pollMs)
    if (options.stopped()) return
    const run = await read(initial.id)
    if (!run) return
    if (startedOver(last, run)) {
      yield { kind: 'snapshot', run }
    } else {
      for (const event of changes(last, run)) yield { kind: 'event', event }
    }
    last = run
    if (TERMINAL_RUN_STATUSES.includes(run.status)) {
      yield { kind: 'event', event: runFinished(run) }
      return
    }
  }
}

/** The `run.finished` event of a stored run that is finished. */
export function runFinished(run: RunRow): LiveRunEvent {
  return {
    type: 'run.finished',
    runId: run.id,
    at: run.finishedAt ?? Date.now(),
    status: run.status,
    ...(run.error ? { error: run.error } : {}),
  }
}

/**
 * Another attempt began on a run seen running (handed back at a shutdown, or taken over after a
 * crash): the steps seen so far were cleared and start again from nothing. A new claim always
 * changes the lease owner, even when a handed-back attempt was not counted.
 */
function startedOver(before: RunWithSteps, after: RunWithSteps): boolean {
  return (
    before.status === 'running' &&
    (after.status === 'queued' ||
      after.attempts !== before.attempts ||
      after.leaseOwner !== before.leaseOwner)
  )
}

/** The events between two reads of one attempt, in the order they happened. */
function changes(before: RunWithSteps, after: RunWithSteps): LiveRunEvent[] {
  const events: LiveRunEvent[] = []
  if (before.status === 'queued' && after.status !== 'queued' && after.startedAt !== null) {
    events.push({
      type: 'run.started',
      runId: after.id,
      at: after.startedAt,
      nodeIds: after.steps.map((step) => step.nodeId),
    })
  }
  const seen = new Map(before.steps.map((step) => [step.nodeId, step]))
  const stepEvents: LiveRunEvent[] = []
  for (const step of after.steps) {
    const earlier = seen.get(step.nodeId)
    const wasStarted = earlier !== undefined && earlier.status !== 'pending' && earlier.startedAt !== null
    if (!wasStarted && step.startedAt !== null) stepEvents.push(nodeStarted(after.id, step))
    const wasFinished = earlier !== undefined && FINISHED_STEP.includes(earlier.status)
    if (!wasFinished && FINISHED_STEP.includes(step.status)) stepEvents.push(nodeEnded(after.id, step))
  }
  // Stable: a node's start stays ahead of its end when both carry the same instant.
  stepEvents.sort((a, b) => a.at - b.at)
  return [...events, ...stepEvents]
}

function nodeStarted(runId: string, step: StepRow): LiveRunEvent {
  return {
    type: 'node.started',
    runId,
    at: step.startedAt ?? 0,
    nodeId: step.nodeId,
    inputCount: step.inputCount,
    inputPreview: step.inputPreview ?? EMPTY_PREVIEW,
  }
}

function nodeEnded(runId: string, step: StepRow): LiveRunEvent {
  const at = step.finishedAt ?? step.startedAt ?? 0
  if (step.status === 'succeeded' || step.status === 'partial') {
    return {
      type: 'node.finished',
      runId,
      at,
      nodeId: step.nodeId,
      status: step.status,
      outputCount: step.outputCount,
      outputCounts: step.outputCounts ?? {},
      outputPreview: step.outputPreview ?? EMPTY_PREVIEW,
      ...(step.warning ? { warning: step.warning } : {}),
    }
  }
  return {
    type: 'node.failed',
    runId,
    at,
    nodeId: step.nodeId,
    status: step.status === 'failed' ? 'failed' : 'cancelled',
    error: step.error ?? { code: 'UNKNOWN', message: `node "${step.nodeId}" ${step.status}` },
  }
}
