import type { InStatement } from '@libsql/client'
import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { rawInsert } from '../db/raw-insert.ts'
import { flows } from '../db/schema/flows.ts'
import { runs } from '../db/schema/runs.ts'
import type { WriteBatcher } from '../db/write-batcher.ts'
import { RUN_COLUMNS } from '../repos/runs.ts'
import type { Claims } from './claims.ts'

export type RunRow = typeof runs.$inferSelect
export type NewRunRow = typeof runs.$inferInsert

export type Admission =
  /** Stored as queued: the caller may say "accepted". */
  | { kind: 'created'; run: RunRow }
  /** The idempotency key was used before: this is that run. */
  | { kind: 'existing'; run: RunRow }
  /** The flow's overlap policy is `skip` and this run of it is already queued or running. */
  | { kind: 'skipped'; active: RunRow }
  /**
   * Nothing stored: the flow is no longer at the run's `flowVersion` (saved again, or deleted) by
   * the time the row would have been committed. Read the flow again and resubmit.
   */
  | { kind: 'stale' }

export class QueueFullError extends Error {
  override name = 'QueueFullError'
  constructor(
    readonly queued: number,
    readonly retryAfterSeconds: number
  ) {
    super(`the run queue is full (${queued} runs waiting); try again in ${retryAfterSeconds} s`)
  }
}

const insertRuns = rawInsert(
  runs,
  [...RUN_COLUMNS, 'idempotencyKey', 'overlap', 'flowGeneration', 'requestHash'],
  {
    json: ['input', 'variables', 'accounts', 'regions', 'error'],
    // The flow check happens inside the write transaction, so a run is only ever stored against
    // the flow version that is current when it commits; callers check a cached copy of the flow
    // without reading the database, and this catches the copy going stale (here or in another
    // process sharing the database).
    onlyWhere: (ref) =>
      // The generation tells a flow deleted and recreated under the same id (back at version 1).
      `EXISTS (SELECT 1 FROM "flows" WHERE "flows"."id" = ${ref('flowId')} AND "flows"."version" = ${ref('flowVersion')} AND "flows"."generation" = ${ref('flowGeneration')})`,
    skipConflicts: true,
    returning: ['id'],
  }
)

/** Rows per multi-row INSERT: 18 columns each stays far below SQLite's bound-parameter limit. */
const ROWS_PER_INSERT = 500
/** How stale the cached count of queued runs may be; the limit is a bound, not an exact number. */
const COUNT_TTL_MS = 250
/** Seconds a refused caller is asked to wait: long enough for workers to drain some of the queue. */
const RETRY_AFTER_SECONDS = 5

/**
 * Stores accepted runs. Runs accepted in one event-loop turn become one multi-row INSERT in the
 * write batcher's next transaction (a group commit: a burst of requests costs one statement and one
 * commit, and each caller hears back once that commit is done). The insert is `INSERT ... SELECT
 * ... WHERE <the flow is at this version> ON CONFLICT DO NOTHING RETURNING id`, against two unique
 * indexes that make the outcome exact under any concurrency, across processes too:
 * `(flow_id, idempotency_key)` (the same key is one run) and, for flows whose overlap policy is
 * `skip`, at most one queued-or-running run per flow. The returned ids say which rows went in; only
 * a row that did not is looked into, to learn which run won or whether the flow changed.
 */
export function createAdmission(deps: {
  db: Db
  batcher: WriteBatcher
  claims: Claims
  maxQueued: number
  now?: () => number
}) {
  const { db } = deps
  const now = deps.now ?? Date.now
  let queued: { count: number; at: number } | undefined

  let pending: {
    row: NewRunRow & { id: string }
    resolve: (inserted: boolean) => void
    reject: (err: unknown) => void
  }[] = []
  deps.batcher.addSource({
    collect() {
      const taken = pending
      pending = []
      if (taken.length === 0) return { statements: [] }
      const statements: InStatement[] = []
      for (let i = 0; i < taken.length; i += ROWS_PER_INSERT) {
        statements.push(insertRuns.statement(taken.slice(i, i + ROWS_PER_INSERT).map((entry) => entry.row)))
      }
      return {
        statements,
        committed: (results) => {
          const inserted = new Set<unknown>()
          for (const result of results) for (const row of result.rows) inserted.add(row[0])
          for (const entry of taken) entry.resolve(inserted.has(entry.row.id))
        },
        failed: (err) => {
          for (const entry of taken) entry.reject(err)
        },
      }
    },
  })
  /** Resolves once the batch holding the row committed: true when the row is in it. */
  const store = (row: NewRunRow & { id: string }) =>
    new Promise<boolean>((resolve, reject) => {
      pending.push({ row, resolve, reject })
      deps.batcher.schedule()
    })

  async function checkRoom(): Promise<void> {
    const at = now()
    if (!queued || at - queued.at > COUNT_TTL_MS) {
      queued = { count: await deps.claims.queuedCount(), at }
    }
    if (queued.count >= deps.maxQueued) throw new QueueFullError(queued.count, RETRY_AFTER_SECONDS)
    queued.count++
  }

  const byKey = async (flowId: string, key: string) =>
    (
      await db
        .select()
        .from(runs)
        .where(and(eq(runs.flowId, flowId), eq(runs.idempotencyKey, key)))
    )[0]

  const flowStillAt = async (run: NewRunRow) =>
    (
      await db
        .select({ id: flows.id })
        .from(flows)
        .where(
          and(
            eq(flows.id, run.flowId),
            eq(flows.version, run.flowVersion),
            eq(flows.generation, run.flowGeneration ?? '')
          )
        )
    ).length > 0

  return {
    async admit(run: NewRunRow & { id: string }): Promise<Admission> {
      const key = run.idempotencyKey ?? null
      try {
        await checkRoom()
      } catch (err) {
        // A retried request gets its run back even when the queue has filled up since.
        const earlier = key === null ? undefined : await byKey(run.flowId, key)
        if (earlier) return { kind: 'existing', run: earlier }
        throw err
      }
      if (await store(run)) return { kind: 'created', run: withDefaults(run) }

      // Not stored: a unique index held it back, or the flow moved on from the run's version.
      if (key !== null) {
        const winner = await byKey(run.flowId, key)
        if (winner) return { kind: 'existing', run: winner }
      }
      // `skip` came from the caller's copy of the flow: it holds only while the flow is still at
      // that version (a save may have changed the policy), so check that before refusing.
      if (run.overlap === 'skip' && (await flowStillAt(run))) {
        const [active] = await db
          .select()
          .from(runs)
          .where(and(eq(runs.flowId, run.flowId), inArray(runs.status, ['queued', 'running'])))
          .limit(1)
        if (active) return { kind: 'skipped', active }
      }
      // The flow changed, or the active run that held a `skip` back finished in between: the
      // caller reads the flow again and retries.
      return { kind: 'stale' }
    },
  }
}

export type RunAdmission = ReturnType<typeof createAdmission>

/** The row as the database stores it, without reading it back (columns with defaults filled). */
function withDefaults(run: NewRunRow & { id: string }): RunRow {
  return {
    attempts: 0,
    leaseOwner: null,
    leaseExpiresAt: null,
    idempotencyKey: null,
    overlap: 'parallel',
    flowGeneration: null,
    requestHash: null,
    ...run,
  } as RunRow
}
