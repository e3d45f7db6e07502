import { and, asc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm'
import type { StepError } from '../../core/run/events.ts'
import type { Db } from '../db/client.ts'
import { controlResults } from '../db/schema/controls.ts'
import { runSteps, runs, stepPayloads } from '../db/schema/runs.ts'

export type ClaimedRun = typeof runs.$inferSelect

/** What a claim writes: the run is running, leased to `owner`, one attempt more. */
function claimedBy(owner: string, at: number, leaseMs: number) {
  return {
    status: 'running' as const,
    leaseOwner: owner,
    leaseExpiresAt: at + leaseMs,
    attempts: sql`${runs.attempts} + 1`,
    startedAt: sql`coalesce(${runs.startedAt}, ${at})`,
  }
}

/**
 * The queue's state changes, each one SQL statement (or one transaction), so they are atomic on a
 * libSQL file and on a libSQL server alike: whichever process's UPDATE commits first owns the rows
 * it changed, and the others' WHERE no longer matches them. That is what lets several processes
 * share one queue without a coordinator.
 */
export function createClaims(db: Db) {
  /** A running run whose worker has not renewed its lease in time: its process is gone or stuck. */
  const expired = (at: number) =>
    and(eq(runs.status, 'running'), or(isNull(runs.leaseExpiresAt), lt(runs.leaseExpiresAt, at)))

  return {
    /**
     * Take up to `limit` queued runs, oldest first, for `owner` until `at + leaseMs`. A run of a
     * flow whose overlap policy is `queue` is taken only when no run of that flow is running and it
     * is that flow's oldest queued run, so such a flow's runs go one at a time, in order.
     */
    async claim(owner: string, limit: number, at: number, leaseMs: number): Promise<ClaimedRun[]> {
      if (limit <= 0) return []
      const candidates = db
        .select({ id: sql`r.id` })
        .from(sql`runs r`)
        .where(
          sql`r.status = 'queued' AND (r.overlap <> 'queue' OR (
            NOT EXISTS (SELECT 1 FROM runs o WHERE o.flow_id = r.flow_id AND o.status = 'running')
            AND r.id = (SELECT q.id FROM runs q WHERE q.flow_id = r.flow_id AND q.status = 'queued'
                        ORDER BY q.created_at, q.rowid LIMIT 1)))`
        )
        .orderBy(sql`r.created_at`, sql`r.rowid`)
        .limit(limit)
      return db
        .update(runs)
        .set(claimedBy(owner, at, leaseMs))
        .where(and(eq(runs.status, 'queued'), inArray(runs.id, candidates)))
        .returning()
    },

    /** Take one particular queued run (the CLI executes the run it just queued, here). */
    async claimById(
      owner: string,
      runId: string,
      at: number,
      leaseMs: number
    ): Promise<ClaimedRun | undefined> {
      const [run] = await db
        .update(runs)
        .set(claimedBy(owner, at, leaseMs))
        .where(and(eq(runs.id, runId), eq(runs.status, 'queued')))
        .returning()
      return run
    },

    /**
     * Extend the leases `owner` holds on `runIds`. Returns the ids still held; a run missing from
     * the answer was finished, or taken up again by another process after this one stalled.
     */
    async renew(owner: string, runIds: string[], at: number, leaseMs: number): Promise<Set<string>> {
      if (runIds.length === 0) return new Set()
      const held = await db
        .update(runs)
        .set({ leaseExpiresAt: at + leaseMs })
        .where(and(inArray(runs.id, runIds), eq(runs.leaseOwner, owner), eq(runs.status, 'running')))
        .returning({ id: runs.id })
      return new Set(held.map((row) => row.id))
    },

    /**
     * Deal with runs whose lease expired: queue them again while they have attempts left (their
     * partial steps and results are cleared first, so the next attempt starts clean), fail them
     * with the reason otherwise. One transaction, so no run is seen half-handled.
     */
    async reclaimExpired(at: number, maxAttempts: number): Promise<{ requeued: number; failed: number }> {
      const retry = and(expired(at), lt(runs.attempts, maxAttempts))
      const giveUp = and(expired(at), sql`${runs.attempts} >= ${maxAttempts}`)
      const retryIds = db.select({ id: runs.id }).from(runs).where(retry)
      const giveUpIds = db.select({ id: runs.id }).from(runs).where(giveUp)
      const error: StepError = {
        code: 'WORKER_LOST',
        message: `the process running it stopped (crashed or was killed) and its lease expired; tried ${maxAttempts} time(s)`,
      }
      const [, , , requeued, , failed] = await db.batch([
        db.delete(stepPayloads).where(inArray(stepPayloads.runId, retryIds)),
        db.delete(controlResults).where(inArray(controlResults.runId, retryIds)),
        db.delete(runSteps).where(inArray(runSteps.runId, retryIds)),
        db
          .update(runs)
          .set({ status: 'queued', leaseOwner: null, leaseExpiresAt: null, startedAt: null })
          .where(retry)
          .returning({ id: runs.id }),
        db
          .update(runSteps)
          .set({ status: 'failed', error, finishedAt: at })
          .where(and(inArray(runSteps.runId, giveUpIds), inArray(runSteps.status, ['pending', 'running']))),
        db
          .update(runs)
          .set({ status: 'failed', error, finishedAt: at, leaseOwner: null, leaseExpiresAt: null })
          .where(giveUp)
          .returning({ id: runs.id }),
      ])
      return { requeued: requeued.length, failed: failed.length }
    },

    /**
     * Give runs back to the queue unfinished (this process is shutting down): queued again with
     * their partial steps and results cleared, as after a crash, but at once rather than when the
     * lease expires, and without counting the attempt. The reason stays on the run (as its `error`)
     * until an attempt finishes it. Only runs `owner` still holds; returns the ids handed back.
     */
    async handBack(owner: string, runIds: string[], reason: StepError): Promise<string[]> {
      if (runIds.length === 0) return []
      const held = and(inArray(runs.id, runIds), eq(runs.leaseOwner, owner), eq(runs.status, 'running'))
      const heldIds = db.select({ id: runs.id }).from(runs).where(held)
      const [, , , handed] = await db.batch([
        db.delete(stepPayloads).where(inArray(stepPayloads.runId, heldIds)),
        db.delete(controlResults).where(inArray(controlResults.runId, heldIds)),
        db.delete(runSteps).where(inArray(runSteps.runId, heldIds)),
        db
          .update(runs)
          .set({
            status: 'queued',
            leaseOwner: null,
            leaseExpiresAt: null,
            startedAt: null,
            attempts: sql`max(${runs.attempts} - 1, 0)`,
            error: reason,
          })
          .where(held)
          .returning({ id: runs.id }),
      ])
      return handed.map((row) => row.id)
    },

    /** Queued runs, for the "queue is full" check and the figures on `/healthz`. */
    async queuedCount(): Promise<number> {
      const [row] = await db
        .select({ count: sql<number>`count(*)` })
        .from(runs)
        .where(eq(runs.status, 'queued'))
      return row?.count ?? 0
    },

    /** Oldest first, for tests and diagnostics. */
    async listUnfinished(): Promise<ClaimedRun[]> {
      return db
        .select()
        .from(runs)
        .where(inArray(runs.status, ['queued', 'running']))
        .orderBy(asc(runs.createdAt))
    },
  }
}

export type Claims = ReturnType<typeof createClaims>
