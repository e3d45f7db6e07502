import { and, asc, desc, eq, getTableColumns, inArray, not, sql } from 'drizzle-orm'
import type { RunStatus } from '../../core/run/events.ts'
import type { Db } from '../db/client.ts'
import { rawInsert } from '../db/raw-insert.ts'
import { runSteps, runs, stepPayloads } from '../db/schema/runs.ts'
import type { Statement } from '../db/write-batcher.ts'
import type { Page, PageRequest } from './paging.ts'

export type RunRow = typeof runs.$inferSelect
export type StepRow = typeof runSteps.$inferSelect
export type NewRun = typeof runs.$inferInsert
export type RunWithSteps = RunRow & { steps: StepRow[] }

/** Where a finished-or-not step's stored payload stands. */
export type PayloadLookup = { kind: 'found'; json: string } | { kind: 'no-step' } | { kind: 'not-yet' }

const UNFINISHED: RunStatus[] = ['queued', 'running']
const { input: _input, ...withoutInput } = getTableColumns(runs)
/** A node of the run ended `partial` (e.g. one region failed): one lookup in the steps' primary key. */
const hasPartialStep = sql`EXISTS (SELECT 1 FROM ${runSteps} WHERE ${runSteps.runId} = ${runs.id} AND ${runSteps.status} = 'partial')`

/** The columns every stored run has; the queue's admission adds its own on top. */
export const RUN_COLUMNS = [
  'id',
  'flowId',
  'flowVersion',
  'status',
  'triggeredBy',
  'input',
  'variables',
  'accounts',
  'regions',
  'until',
  'error',
  'createdAt',
  'startedAt',
  'finishedAt',
] as const satisfies readonly (keyof NewRun)[]
const insertRun = rawInsert(runs, RUN_COLUMNS, {
  json: ['input', 'variables', 'accounts', 'regions', 'error'],
})

/** Runs and their steps. Writes during a run go through the recorder; these are the rest. */
export function createRunRepo(db: Db) {
  return {
    /** The insert for a new queued run, for the write batcher. */
    insertStatement(run: NewRun): Statement {
      return insertRun.statement([run])
    },

    async get(id: string): Promise<RunRow | undefined> {
      const [row] = await db.select().from(runs).where(eq(runs.id, id))
      return row
    },

    async getWithSteps(id: string): Promise<RunWithSteps | undefined> {
      const [[run], steps] = await Promise.all([
        db.select().from(runs).where(eq(runs.id, id)),
        db.select().from(runSteps).where(eq(runSteps.runId, id)).orderBy(asc(runSteps.position)),
      ])
      return run ? { ...run, steps } : undefined
    },

    /**
     * A flow's runs, newest first, without their input (it can be large): the list view's rows,
     * each saying whether a node of it ended `partial`; `partial` keeps only such runs (true) or
     * only the others (false).
     */
    async listForFlow(
      flowId: string,
      query: PageRequest & { status?: RunStatus[]; partial?: boolean }
    ): Promise<Page<Omit<RunRow, 'input'> & { partial: boolean }>> {
      const where = and(
        eq(runs.flowId, flowId),
        query.status && query.status.length > 0 ? inArray(runs.status, query.status) : undefined,
        query.partial === undefined ? undefined : query.partial ? hasPartialStep : not(hasPartialStep)
      )
      const [rows, [count]] = await Promise.all([
        db
          .select({ ...withoutInput, partial: sql<number>`${hasPartialStep}` })
          .from(runs)
          .where(where)
          .orderBy(desc(runs.createdAt), desc(sql`rowid`))
          .limit(query.limit)
          .offset(query.offset),
        db.select({ total: sql<number>`count(*)` }).from(runs).where(where),
      ])
      const items = rows.map((row) => ({ ...row, partial: Boolean(row.partial) }))
      return { items, total: count?.total ?? 0, limit: query.limit, offset: query.offset }
    },

    async stepPayload(runId: string, nodeId: string, side: 'input' | 'output'): Promise<PayloadLookup> {
      const [step] = await db
        .select({ status: runSteps.status, payload: stepPayloads[side] })
        .from(runSteps)
        .leftJoin(
          stepPayloads,
          and(eq(stepPayloads.runId, runSteps.runId), eq(stepPayloads.nodeId, runSteps.nodeId))
        )
        .where(and(eq(runSteps.runId, runId), eq(runSteps.nodeId, nodeId)))
      if (!step) return { kind: 'no-step' }
      if (step.payload == null) return { kind: 'not-yet' }
      return { kind: 'found', json: step.payload }
    },

    /** Finish a run that no process is executing (cancelled before it started, or orphaned). */
    async finishUnattended(
      id: string,
      status: 'failed' | 'cancelled',
      error: { code: string; message: string },
      at: number
    ): Promise<boolean> {
      const [updated] = await db.batch([
        db
          .update(runs)
          .set({ status, error, finishedAt: at })
          .where(and(eq(runs.id, id), inArray(runs.status, UNFINISHED)))
          .returning({ id: runs.id }),
        db
          .update(runSteps)
          .set({ status, error, finishedAt: at })
          .where(and(eq(runSteps.runId, id), inArray(runSteps.status, ['pending', 'running']))),
      ])
      return updated.length > 0
    },

    /**
     * Mark every run left queued or running as failed, with its unfinished steps. Called at boot,
     * when no run can be executing: the process that owned them is gone.
     */
    async failUnfinished(error: { code: string; message: string }, at: number): Promise<number> {
      const orphans = db.select({ id: runs.id }).from(runs).where(inArray(runs.status, UNFINISHED))
      const [, updated] = await db.batch([
        db
          .update(runSteps)
          .set({ status: 'failed', error, finishedAt: at })
          .where(and(inArray(runSteps.status, ['pending', 'running']), sql`${runSteps.runId} IN ${orphans}`)),
        db
          .update(runs)
          .set({ status: 'failed', error, finishedAt: at })
          .where(inArray(runs.status, UNFINISHED))
          .returning({ id: runs.id }),
      ])
      return updated.length
    },
  }
}

export type RunRepo = ReturnType<typeof createRunRepo>
