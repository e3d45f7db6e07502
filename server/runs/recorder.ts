import type { InValue } from '@libsql/client'
import type { Table } from 'drizzle-orm'
import type { RunEvent } from '../../core/run/events.ts'
import { type RawInsert, rawInsert, rawUpdate } from '../db/raw-insert.ts'
import { controlResults } from '../db/schema/controls.ts'
import { runSteps, runs, stepPayloads } from '../db/schema/runs.ts'
import type { Statement, WriteBatcher, WriteSource } from '../db/write-batcher.ts'
import { CONTROL_NODE_TYPE, CONTROL_RESULTS_PORT, controlRowsOf } from './control-results.ts'
import type { LiveRunEvent, LiveRuns } from './live.ts'
import { payloadJson, portCounts, previewOf } from './preview.ts'

type StepRow = typeof runSteps.$inferInsert
type RunPatch = Partial<typeof runs.$inferInsert>
type PayloadRow = { runId: string; nodeId: string; input: string | null; output: string | null }
type ControlRow = typeof controlResults.$inferInsert

/**
 * A claim of a run from the queue: the worker that took it and the attempt it took it for. The
 * attempt tells two claims by one process apart (it lost the run while stalled, then won it back).
 */
export interface Lease {
  owner: string
  attempt: number
}

/** Rows per multi-row INSERT: 14 columns x 500 rows stays well under SQLite's 32,766 parameters. */
const ROWS_PER_INSERT = 500

interface TrackedRun {
  runId: string
  flowId: string
  nodeTypes: ReadonlyMap<string, string>
  /** The queue lease the run executes under: its rows are written only while that holds. */
  lease?: Lease
  patch: RunPatch | undefined
  steps: Map<string, StepRow>
  dirtySteps: Set<string>
  payloads: PayloadRow[]
  controls: ControlRow[]
  events: LiveRunEvent[]
  finished: boolean
  /** Handed back to the queue: nothing more is written or published for this execution. */
  released: boolean
  done: { resolve: () => void; reject: (err: unknown) => void }
}

/**
 * Turns engine events into database rows. Events are folded into per-run state as they arrive and
 * written when the batcher cuts its next batch, so a run whose five nodes finish within one turn
 * costs one upsert of its steps, not twenty statements. Live subscribers hear an event after the
 * batch holding it has committed.
 */
export function createRunRecorder(deps: { batcher: WriteBatcher; live: LiveRuns }) {
  const { batcher, live } = deps
  const tracked = new Map<string, TrackedRun>()
  const dirty = new Set<TrackedRun>()

  function markDirty(run: TrackedRun) {
    dirty.add(run)
    batcher.schedule()
  }

  function stepOf(run: TrackedRun, nodeId: string): StepRow {
    let step = run.steps.get(nodeId)
    if (!step) {
      step = {
        runId: run.runId,
        nodeId,
        nodeType: run.nodeTypes.get(nodeId) ?? 'unknown',
        position: run.steps.size,
        status: 'pending',
        startedAt: null,
        finishedAt: null,
        error: null,
        warning: null,
        inputCount: 0,
        outputCount: 0,
        outputCounts: null,
        inputPreview: null,
        outputPreview: null,
      }
      run.steps.set(nodeId, step)
    }
    run.dirtySteps.add(nodeId)
    return step
  }

  function apply(run: TrackedRun, event: RunEvent) {
    if (run.released) {
      if (event.type === 'run.finished') run.done.resolve()
      return
    }
    switch (event.type) {
      case 'run.started':
        run.patch = { ...run.patch, status: 'running', startedAt: event.at }
        for (const nodeId of event.nodeIds) stepOf(run, nodeId)
        run.events.push(event)
        break
      case 'node.started': {
        const step = stepOf(run, event.nodeId)
        const inputPreview = previewOf(event.input)
        step.status = 'running'
        step.startedAt = event.at
        step.inputCount = countOf(event.input)
        step.inputPreview = inputPreview
        run.payloads.push({
          runId: run.runId,
          nodeId: event.nodeId,
          input: payloadJson(event.input),
          output: null,
        })
        run.events.push({ ...eventHead(event), inputCount: step.inputCount, inputPreview })
        break
      }
      case 'node.finished': {
        const step = stepOf(run, event.nodeId)
        const outputPreview = previewOf(event.output)
        const outputCounts = portCounts(event.output)
        step.status = event.status
        step.finishedAt = event.at
        step.outputCount = countOf(event.output)
        step.outputCounts = outputCounts
        step.outputPreview = outputPreview
        step.warning = event.warning ?? null
        run.payloads.push({
          runId: run.runId,
          nodeId: event.nodeId,
          input: null,
          output: payloadJson(event.output),
        })
        if (step.nodeType === CONTROL_NODE_TYPE) {
          for (const row of controlRowsOf(event.output[CONTROL_RESULTS_PORT] ?? [])) {
            run.controls.push({
              ...row,
              flowId: run.flowId,
              nodeId: event.nodeId,
              runId: run.runId,
              recordedAt: event.at,
            })
          }
        }
        run.events.push({
          ...eventHead(event),
          status: event.status,
          outputCount: step.outputCount,
          outputCounts,
          outputPreview,
          ...(event.warning ? { warning: event.warning } : {}),
        })
        break
      }
      case 'node.failed': {
        const step = stepOf(run, event.nodeId)
        step.status = event.status
        step.finishedAt = event.at
        step.error = event.error
        run.events.push(event)
        break
      }
      case 'run.finished':
        run.patch = {
          ...run.patch,
          status: event.status,
          finishedAt: event.at,
          error: event.error ?? null,
        }
        run.finished = true
        run.events.push(event)
        break
    }
    markDirty(run)
  }

  /**
   * The statements for every run in a batch: rows of all runs under one lease (nearly always all
   * of them: one worker, first attempts) merged into multi-row statements (SQLite prepares each
   * statement afresh, so fewer, wider ones are cheaper), then one update per run.
   */
  function statementsOf(batch: TrackedRun[]): Statement[] {
    const statements: Statement[] = []
    const updates: Statement[] = []
    for (const [lease, group] of byLease(batch)) {
      const steps: StepRow[] = []
      const payloads: PayloadRow[] = []
      const controls: ControlRow[] = []
      for (const run of group) {
        for (const nodeId of run.dirtySteps) steps.push(run.steps.get(nodeId)!)
        run.dirtySteps.clear()
        payloads.push(...mergePayloads(run.payloads))
        run.payloads = []
        controls.push(...run.controls)
        run.controls = []
        if (run.patch) updates.push(fenced(updateRun.statement(run.runId, run.patch), lease))
        run.patch = undefined
      }
      statements.push(
        ...rowWrites(upsertSteps, steps, lease),
        ...rowWrites(upsertPayloads, payloads, lease),
        ...rowWrites(insertControls, controls, lease)
      )
    }
    return [...statements, ...updates]
  }

  const source: WriteSource = {
    collect() {
      const runsInBatch = [...dirty]
      dirty.clear()
      const statements = statementsOf(runsInBatch)
      const events = runsInBatch.map((run) => {
        const list = run.events
        run.events = []
        return list
      })
      const finished = runsInBatch.filter((run) => run.finished)
      for (const run of finished) tracked.delete(run.runId)
      return {
        statements,
        committed() {
          for (const list of events) for (const event of list) live.publish(event)
          for (const run of finished) run.done.resolve()
        },
        failed(err) {
          for (const run of finished) run.done.reject(err)
        },
      }
    },
  }
  batcher.addSource(source)

  return {
    /**
     * Start recording a run. `onEvent` goes to the engine; `stored` resolves once the run's
     * final state is committed.
     */
    track(run: { runId: string; flowId: string; nodeTypes: ReadonlyMap<string, string>; lease?: Lease }) {
      let done!: TrackedRun['done']
      const stored = new Promise<void>((resolve, reject) => {
        done = { resolve, reject }
      })
      const state: TrackedRun = {
        ...run,
        patch: undefined,
        steps: new Map(),
        dirtySteps: new Set(),
        payloads: [],
        controls: [],
        events: [],
        finished: false,
        released: false,
        done,
      }
      tracked.set(run.runId, state)
      return { onEvent: (event: RunEvent) => apply(state, event), stored }
    },
    /**
     * Stop recording a run this process no longer holds (handed back to the queue at shutdown):
     * its remaining events are neither written nor published, so live subscribers never hear an
     * outcome the database does not have; `stored` resolves when the engine reports it finished.
     */
    release(runId: string): void {
      const state = tracked.get(runId)
      if (!state) return
      state.released = true
      state.events = []
      tracked.delete(runId)
    },
    /** Runs being recorded right now (started and not yet stored as finished). */
    activeRunIds(): string[] {
      return [...tracked.keys()]
    },
  }
}

export type RunRecorder = ReturnType<typeof createRunRecorder>

/** The fields a live event keeps from the engine's event; items are replaced by counts and previews. */
function eventHead<T extends { type: string; runId: string; at: number; nodeId: string }>(event: T) {
  return { type: event.type as T['type'], runId: event.runId, at: event.at, nodeId: event.nodeId }
}

function countOf(items: Record<string, unknown[]>): number {
  let total = 0
  for (const list of Object.values(items)) total += list.length
  return total
}

const STEP_STATE = [
  'status',
  'startedAt',
  'finishedAt',
  'error',
  'warning',
  'inputCount',
  'outputCount',
  'outputCounts',
  'inputPreview',
  'outputPreview',
] as const
/** A step's whole current state, written over whatever an earlier batch stored. */
const upsertSteps = leaseFenced(runSteps, ['runId', 'nodeId', 'nodeType', 'position', ...STEP_STATE], {
  conflict: ['runId', 'nodeId'],
  update: STEP_STATE,
  json: ['error', 'warning', 'outputCounts', 'inputPreview', 'outputPreview'],
})
/** Input arrives when a step starts, output when it ends: each write keeps the other side. */
const upsertPayloads = leaseFenced(stepPayloads, ['runId', 'nodeId', 'input', 'output'], {
  conflict: ['runId', 'nodeId'],
  keepOld: ['input', 'output'],
})
const insertControls = leaseFenced(
  controlResults,
  [
    'flowId',
    'nodeId',
    'resourceId',
    'runId',
    'result',
    'displayName',
    'accountId',
    'region',
    'evidence',
    'recordedAt',
  ],
  { json: ['evidence'] }
)
const updateRun = rawUpdate(runs, 'id', { json: ['error'] })

/**
 * Only while the lease holds: a process that stalled past its lease and lost the run to another
 * (or to the expiry sweep) must not write its late steps, payloads, control results or outcome
 * over what the new holder records.
 */
function leaseHeld(runId: string): string {
  return `EXISTS (SELECT 1 FROM "runs" WHERE "runs"."id" = ${runId} AND "runs"."lease_owner" = ? AND "runs"."attempts" = ?)`
}

/** An insert of run rows in two forms: as is, for runs executed outside the queue, and fenced. */
function leaseFenced<T extends Table, K extends keyof T['$inferInsert'] & string>(
  table: T,
  keys: readonly K[],
  options: Parameters<typeof rawInsert<T, K>>[2]
) {
  return {
    free: rawInsert(table, keys, options),
    fenced: rawInsert(table, keys, { ...options, onlyWhere: (ref) => leaseHeld(ref('runId' as K)) }),
  }
}

function rowWrites<Row>(
  insert: { free: RawInsert<Row>; fenced: RawInsert<Row> },
  rows: Row[],
  lease: Lease | undefined
): Statement[] {
  return chunks(rows, ROWS_PER_INSERT).map((part) =>
    lease ? insert.fenced.statement(part, [lease.owner, lease.attempt]) : insert.free.statement(part)
  )
}

/**
 * A run update that lands only while this process holds the run and the run is not finished: a
 * cancel from another process finishes the run without taking the lease, and this process's
 * pending "running" record must not bring it back to life (its heartbeat then sees the run is no
 * longer running and aborts it).
 */
function fenced(statement: Statement, lease: Lease | undefined): Statement {
  if (lease === undefined) return statement
  const { sql, args } = statement as { sql: string; args: InValue[] }
  return {
    sql: `${sql} AND "lease_owner" = ? AND "attempts" = ? AND "status" IN ('queued', 'running')`,
    args: [...args, lease.owner, lease.attempt],
  }
}

/** Runs grouped by the lease they execute under (`undefined` for runs outside the queue). */
function byLease(batch: TrackedRun[]): Map<Lease | undefined, TrackedRun[]> {
  const groups = new Map<string, { lease: Lease | undefined; runs: TrackedRun[] }>()
  for (const run of batch) {
    const key = run.lease ? `${run.lease.owner}\u0000${run.lease.attempt}` : ''
    const group = groups.get(key) ?? { lease: run.lease, runs: [] }
    group.runs.push(run)
    groups.set(key, group)
  }
  return new Map([...groups.values()].map((group) => [group.lease, group.runs]))
}

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = []
  for (let start = 0; start < list.length; start += size) out.push(list.slice(start, start + size))
  return out
}

/** One row per step: a single INSERT cannot upsert the same key twice. */
function mergePayloads(rows: PayloadRow[]): PayloadRow[] {
  const merged = new Map<string, PayloadRow>()
  for (const row of rows) {
    const existing = merged.get(row.nodeId)
    merged.set(
      row.nodeId,
      existing
        ? { ...existing, input: row.input ?? existing.input, output: row.output ?? existing.output }
        : row
    )
  }
  return [...merged.values()]
}
