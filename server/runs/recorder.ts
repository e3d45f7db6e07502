import { eq, sql } from 'drizzle-orm'
import type { RunEvent } from '../../core/run/events.ts'
import type { Db } from '../db/client.ts'
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

/** Rows per multi-row INSERT, well under SQLite's limit on bound parameters. */
const ROWS_PER_INSERT = 500

interface TrackedRun {
  runId: string
  flowId: string
  nodeTypes: ReadonlyMap<string, string>
  patch: RunPatch | undefined
  steps: Map<string, StepRow>
  dirtySteps: Set<string>
  payloads: PayloadRow[]
  controls: ControlRow[]
  events: LiveRunEvent[]
  finished: boolean
  done: { resolve: () => void; reject: (err: unknown) => void }
}

/**
 * Turns engine events into database rows. Events are folded into per-run state as they arrive and
 * written when the batcher cuts its next batch, so a run whose five nodes finish within one turn
 * costs one upsert of its steps, not twenty statements. Live subscribers hear an event after the
 * batch holding it has committed.
 */
export function createRunRecorder(deps: { db: Db; batcher: WriteBatcher; live: LiveRuns }) {
  const { db, batcher, live } = deps
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

  function statementsOf(run: TrackedRun): Statement[] {
    const statements: Statement[] = []
    if (run.dirtySteps.size > 0) {
      const rows = [...run.dirtySteps].map((nodeId) => run.steps.get(nodeId)!)
      run.dirtySteps.clear()
      statements.push(upsertSteps(db, rows))
    }
    if (run.payloads.length > 0) {
      statements.push(upsertPayloads(db, run.payloads))
      run.payloads = []
    }
    for (let start = 0; start < run.controls.length; start += ROWS_PER_INSERT) {
      statements.push(db.insert(controlResults).values(run.controls.slice(start, start + ROWS_PER_INSERT)))
    }
    run.controls = []
    if (run.patch) {
      statements.push(db.update(runs).set(run.patch).where(eq(runs.id, run.runId)))
      run.patch = undefined
    }
    return statements
  }

  const source: WriteSource = {
    collect() {
      const runsInBatch = [...dirty]
      dirty.clear()
      const statements = runsInBatch.flatMap(statementsOf)
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
    track(run: { runId: string; flowId: string; nodeTypes: ReadonlyMap<string, string> }) {
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
        done,
      }
      tracked.set(run.runId, state)
      return { onEvent: (event: RunEvent) => apply(state, event), stored }
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

const excluded = (column: string) => sql.raw(`excluded.${column}`)

function upsertSteps(db: Db, rows: StepRow[]): Statement {
  return db
    .insert(runSteps)
    .values(rows)
    .onConflictDoUpdate({
      target: [runSteps.runId, runSteps.nodeId],
      set: {
        status: excluded('status'),
        startedAt: excluded('started_at'),
        finishedAt: excluded('finished_at'),
        error: excluded('error'),
        warning: excluded('warning'),
        inputCount: excluded('input_count'),
        outputCount: excluded('output_count'),
        outputCounts: excluded('output_counts'),
        inputPreview: excluded('input_preview'),
        outputPreview: excluded('output_preview'),
      },
    })
}

/** Merge payload rows per step first: one statement cannot upsert the same key twice. */
function upsertPayloads(db: Db, rows: PayloadRow[]): Statement {
  const merged = new Map<string, PayloadRow>()
  for (const row of rows) {
    const existing = merged.get(row.nodeId)
    merged.set(
      row.nodeId,
      existing
        ? { ...existing, output: row.output ?? existing.output, input: row.input ?? existing.input }
        : row
    )
  }
  return db
    .insert(stepPayloads)
    .values([...merged.values()])
    .onConflictDoUpdate({
      target: [stepPayloads.runId, stepPayloads.nodeId],
      set: {
        input: sql`coalesce(excluded.input, ${stepPayloads.input})`,
        output: sql`coalesce(excluded.output, ${stepPayloads.output})`,
      },
    })
}
