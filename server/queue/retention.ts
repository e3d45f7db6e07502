import { and, asc, inArray, lt, sql } from 'drizzle-orm'
import type { Database } from '../db/client.ts'
import { controlResults } from '../db/schema/controls.ts'
import { runSteps, runs, stepPayloads } from '../db/schema/runs.ts'
import type { Logger } from '../log.ts'

export interface RetentionSettings {
  /** Finished runs older than this are deleted with their steps and payloads. */
  runMaxAgeMs: number
  /** Full step payloads older than this are deleted; the runs and their previews stay. */
  payloadMaxAgeMs: number
  /** When the database file holds more than this, the oldest finished runs go first. 0: no cap. */
  maxBytes: number
  /** Runs per delete transaction: small, so writers never wait long behind the pruner. */
  batchSize: number
  /** How often to prune. */
  intervalMs: number
}

const FINISHED = ['succeeded', 'failed', 'cancelled'] as const
/** Batches per pass, so one pass never hogs the database; the next pass continues. */
const MAX_BATCHES_PER_PASS = 50

/**
 * Keeps the database from growing without bound. Only finished runs are ever touched, in small
 * transactions with a pause between them. A control node's latest result per resource is kept even
 * when its run goes, because it is the resource's current state. Freed pages are handed back to the
 * file system with incremental vacuum, so the file shrinks rather than only stops growing.
 */
export function createRetention(deps: {
  database: Database
  settings: RetentionSettings
  log: Logger
  now?: () => number
}) {
  const { db, client } = deps.database
  const { settings, log } = deps
  const now = deps.now ?? Date.now
  let timer: NodeJS.Timeout | undefined
  let running: Promise<PruneReport> | undefined

  /** Delete one batch of finished runs chosen by `where`, oldest first; how many went. */
  async function deleteRuns(where: ReturnType<typeof and>): Promise<number> {
    const ids = (
      await db
        .select({ id: runs.id })
        .from(runs)
        .where(and(inArray(runs.status, [...FINISHED]), where))
        .orderBy(asc(runs.createdAt))
        .limit(settings.batchSize)
    ).map((row) => row.id)
    if (ids.length === 0) return 0
    // A result goes with its run only when the same resource (same account and region too) has a
    // newer one. IS, not =: a missing account or region still names one resource.
    const newer = sql`EXISTS (SELECT 1 FROM control_results n WHERE n.flow_id = ${controlResults.flowId}
      AND n.node_id = ${controlResults.nodeId} AND n.resource_id = ${controlResults.resourceId}
      AND n.account_id IS ${controlResults.accountId} AND n.region IS ${controlResults.region}
      AND n.id > ${controlResults.id})`
    await db.batch([
      db.delete(stepPayloads).where(inArray(stepPayloads.runId, ids)),
      db.delete(runSteps).where(inArray(runSteps.runId, ids)),
      db.delete(controlResults).where(and(inArray(controlResults.runId, ids), newer)),
      // Re-checked here: a run is never deleted unless it is still finished at this instant.
      db.delete(runs).where(and(inArray(runs.id, ids), inArray(runs.status, [...FINISHED]))),
    ])
    return ids.length
  }

  async function deletePayloads(before: number): Promise<number> {
    const old = db
      .select({ id: runs.id })
      .from(runs)
      .where(and(inArray(runs.status, [...FINISHED]), lt(runs.finishedAt, before)))
    const ids = (
      await db
        .select({ runId: stepPayloads.runId, nodeId: stepPayloads.nodeId })
        .from(stepPayloads)
        .where(inArray(stepPayloads.runId, old))
        .limit(settings.batchSize * 10)
    ).map((row) => row.runId)
    if (ids.length === 0) return 0
    const deleted = await db
      .delete(stepPayloads)
      .where(inArray(stepPayloads.runId, [...new Set(ids)]))
      .returning({ runId: stepPayloads.runId })
    return deleted.length
  }

  async function usedBytes(): Promise<number> {
    const pages = await client.execute('PRAGMA page_count')
    const free = await client.execute('PRAGMA freelist_count')
    const size = await client.execute('PRAGMA page_size')
    const first = (result: { rows: unknown[] }) => Number(Object.values(result.rows[0] as object)[0] ?? 0)
    return (first(pages) - first(free)) * first(size)
  }

  const pause = () => new Promise((resolve) => setImmediate(resolve))

  async function pass(): Promise<PruneReport> {
    const at = now()
    const report: PruneReport = { runsByAge: 0, runsBySize: 0, payloads: 0, bytesBefore: 0, bytesAfter: 0 }
    const ageLimit = lt(runs.finishedAt, at - settings.runMaxAgeMs)
    for (let batch = 0; batch < MAX_BATCHES_PER_PASS; batch++) {
      const deleted = await deleteRuns(ageLimit)
      report.runsByAge += deleted
      if (deleted < settings.batchSize) break
      await pause()
    }
    for (let batch = 0; batch < MAX_BATCHES_PER_PASS; batch++) {
      const deleted = await deletePayloads(at - settings.payloadMaxAgeMs)
      report.payloads += deleted
      if (deleted === 0) break
      await pause()
    }
    if (deps.database.isFile && settings.maxBytes > 0) {
      report.bytesBefore = await usedBytes()
      for (let batch = 0; batch < MAX_BATCHES_PER_PASS; batch++) {
        if ((await usedBytes()) <= settings.maxBytes) break
        const deleted = await deleteRuns(undefined)
        report.runsBySize += deleted
        if (deleted === 0) break
        await pause()
      }
    }
    if (deps.database.isFile) {
      // executeMultiple runs the pragma to completion: through `execute` it frees one page per step
      // and leaves the statement open, which locks the table.
      await client.executeMultiple('PRAGMA incremental_vacuum;')
      report.bytesAfter = await usedBytes()
    }
    const total = report.runsByAge + report.runsBySize + report.payloads
    if (total > 0) log('info', 'retention pruned old runs', report)
    return report
  }

  return {
    /**
     * Make freed pages returnable to the file system. The mode is stored in the file and only takes
     * effect through a VACUUM, which is instant on a new database and done once on an old one.
     */
    async prepare(): Promise<void> {
      if (!deps.database.isFile) return
      const mode = await client.execute('PRAGMA auto_vacuum')
      if (Number(Object.values(mode.rows[0] as object)[0]) === 2) return
      log('info', 'switching the database to incremental vacuum (one-time VACUUM)')
      await client.execute('PRAGMA auto_vacuum = INCREMENTAL')
      await client.execute('VACUUM')
    },
    /** One pass now; passes never overlap. */
    prune(): Promise<PruneReport> {
      running ??= pass().finally(() => {
        running = undefined
      })
      return running
    },
    start() {
      timer = setInterval(() => {
        this.prune().catch((err) => log('warn', 'pruning old runs failed; will retry', err))
      }, settings.intervalMs)
      timer.unref()
    },
    async stop() {
      if (timer) clearInterval(timer)
      await running?.catch(() => {})
    },
  }
}

export interface PruneReport {
  runsByAge: number
  runsBySize: number
  payloads: number
  bytesBefore: number
  bytesAfter: number
}

export type Retention = ReturnType<typeof createRetention>
