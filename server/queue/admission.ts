import type { InStatement, InValue } from '@libsql/client'
import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { rawInsert } from '../db/raw-insert.ts'
import { runs } from '../db/schema/runs.ts'
import type { WriteBatcher } from '../db/write-batcher.ts'
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
  [
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
    'idempotencyKey',
    'overlap',
  ],
  { json: ['input', 'variables', 'accounts', 'regions', 'error'] }
)

/** Rows per multi-row INSERT: 19 columns each stays far below SQLite's bound-parameter limit. */
const ROWS_PER_INSERT = 500
/** How stale the cached count of queued runs may be; the limit is a bound, not an exact number. */
const COUNT_TTL_MS = 250
/** Seconds a refused caller is asked to wait: long enough for workers to drain some of the queue. */
const RETRY_AFTER_SECONDS = 5

/**
 * Stores accepted runs. The insert goes through the write batcher, so a burst of requests becomes
 * one transaction per event-loop turn, and it is `INSERT ... ON CONFLICT DO NOTHING` against two
 * unique indexes that make the outcome exact under any concurrency, across processes too:
 * `(flow_id, idempotency_key)` (the same key is one run) and, for flows whose overlap policy is
 * `skip`, at most one queued-or-running run per flow. Only when one of them may have applied is the
 * row read back to learn which run won.
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

  // Runs accepted in one event-loop turn become one multi-row INSERT in the batcher's next
  // transaction: a burst of requests costs one statement, not one per request.
  let pending: { row: NewRunRow & { id: string }; resolve: () => void; reject: (err: unknown) => void }[] = []
  deps.batcher.addSource({
    collect() {
      const taken = pending
      pending = []
      if (taken.length === 0) return { statements: [] }
      const statements: InStatement[] = []
      for (let i = 0; i < taken.length; i += ROWS_PER_INSERT) {
        const rows = taken.slice(i, i + ROWS_PER_INSERT).map((entry) => entry.row)
        const insert = insertRuns.statement(rows) as { sql: string; args: InValue[] }
        statements.push({ sql: `${insert.sql} ON CONFLICT DO NOTHING`, args: insert.args })
      }
      return {
        statements,
        committed: () => {
          for (const entry of taken) entry.resolve()
        },
        failed: (err) => {
          for (const entry of taken) entry.reject(err)
        },
      }
    },
  })
  const store = (row: NewRunRow & { id: string }) =>
    new Promise<void>((resolve, reject) => {
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
      await store(run)
      if (key === null && run.overlap !== 'skip') return { kind: 'created', run: withDefaults(run) }

      if (key !== null) {
        const winner = await byKey(run.flowId, key)
        if (winner)
          return winner.id === run.id ? { kind: 'created', run: winner } : { kind: 'existing', run: winner }
      } else {
        const [mine] = await db.select().from(runs).where(eq(runs.id, run.id))
        if (mine) return { kind: 'created', run: mine }
      }
      const [active] = await db
        .select()
        .from(runs)
        .where(and(eq(runs.flowId, run.flowId), inArray(runs.status, ['queued', 'running'])))
        .limit(1)
      if (active) return { kind: 'skipped', active }
      // The active run finished between our insert and this read: try once more.
      return this.admit(run)
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
    ...run,
  } as RunRow
}
