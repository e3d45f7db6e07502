import { and, asc, inArray, lt, sql } from 'drizzle-orm'
import type { Database } from '../db/client.ts'
import { controlResults } from '../db/schema/controls.ts'
import { runSteps, runs, stepPayloads } from '../db/schema/runs.ts'
import type { Logger } from '../log.ts'
import { countOf } from '../plural.ts'
import { runTableBytes, usedBytes } from './db-usage.ts'

export interface RetentionSettings {
  /** Finished runs older than this are deleted with their steps and payloads. 0: kept forever. */
  runMaxAgeMs: number
  /** Full step payloads older than this are deleted; the runs and their previews stay. 0: kept forever. */
  payloadMaxAgeMs: number
  /** When the database file holds more than this, the oldest finished runs go first. 0: no cap. */
  maxBytes: number
  /** Saved versions kept per flow, the current one included; older ones are deleted. 0: all. */
  flowVersionsToKeep: number
  /** Rows per delete transaction: small, so writers never wait long behind the pruner. */
  batchSize: number
  /** How often to prune. */
  intervalMs: number
  /** The first pass after `start`: soon, so a database that outgrew its cap while down shrinks. */
  firstPassDelayMs: number
}

const FINISHED = ['succeeded', 'failed', 'cancelled'] as const
/** Pause between batches, so writers (here and in other processes) get the database in between. */
const BATCH_PAUSE_MS = 5
/**
 * Size pruning deletes at most this many times the runs the cap calls for by their share of the
 * file: deleting rows frees whole pages only when they empty, so a few more than the estimate may
 * go, but never every run because something else grew.
 */
const SIZE_BUDGET_FACTOR = 2

/**
 * Keeps the database from growing without bound. Only finished runs are ever touched, in small
 * transactions with a pause between them; a pass goes on batch after batch until the age limits
 * and the size cap are met (or the server stops), so sustained traffic cannot outgrow it. Flow
 * versions beyond the latest few per flow go too, never the current one nor one a queued or running
 * run uses. When what is over the cap is not runs (flow versions, accounts...), runs are left alone
 * and a warning says the cap cannot be met by pruning them. A control node's latest result per
 * resource is kept even when its run goes, because it is the resource's current state. Freed pages
 * are handed back to the file system with incremental vacuum, so the file shrinks rather than only
 * stops growing.
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
  const timers: NodeJS.Timeout[] = []
  let running: Promise<PruneReport> | undefined
  let stopping = false

  /** Delete one batch of finished runs chosen by `where`, oldest first; how many went. */
  async function deleteRuns(where: ReturnType<typeof and>, limit = settings.batchSize): Promise<number> {
    const ids = (
      await db
        .select({ id: runs.id })
        .from(runs)
        .where(and(inArray(runs.status, [...FINISHED]), where))
        .orderBy(asc(runs.createdAt))
        .limit(limit)
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

  /** One batch of flow versions older than each flow's latest `flowVersionsToKeep`, oldest first. */
  async function deleteVersions(): Promise<number> {
    const result = await client.execute({
      sql: `DELETE FROM flow_versions WHERE rowid IN (
              SELECT v.rowid FROM flow_versions v JOIN flows f ON f.id = v.flow_id
              WHERE v.version <= f.version - ?
                AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.flow_id = v.flow_id
                  AND r.flow_version = v.version AND r.status IN ('queued', 'running'))
              ORDER BY v.created_at LIMIT ?)`,
      args: [settings.flowVersionsToKeep, settings.batchSize],
    })
    return result.rowsAffected
  }

  async function finishedRunCount(): Promise<number> {
    const [row] = await db
      .select({ count: sql<number>`count(*)` })
      .from(runs)
      .where(inArray(runs.status, [...FINISHED]))
    return row?.count ?? 0
  }

  const pause = () => new Promise((resolve) => setTimeout(resolve, BATCH_PAUSE_MS))

  /** Run `batch` until it reports fewer than a full batch (or the server stops); the total. */
  async function untilDone(batch: () => Promise<number>, full: number): Promise<number> {
    let total = 0
    while (!stopping) {
      const deleted = await batch()
      total += deleted
      if (deleted < full) break
      await pause()
    }
    return total
  }

  /** Delete the oldest finished runs while the file is over its cap, as far as runs can help. */
  async function pruneBySize(report: PruneReport): Promise<void> {
    let used = await usedBytes(client)
    report.bytesBefore = used
    if (used <= settings.maxBytes) return
    const runBytes = await runTableBytes(client)
    if (runBytes !== undefined && used - runBytes >= settings.maxBytes) {
      report.capUnreachable = true
      log(
        'warn',
        `the database holds ${mb(used - runBytes)} MB besides runs, over its cap of ${mb(settings.maxBytes)} MB (QFLOW_DB_MAX_MB); deleting runs cannot meet it, so none are deleted for size`
      )
      return
    }
    const finished = await finishedRunCount()
    if (finished === 0) return
    // What one run takes on average, so each batch deletes about what is still over, no more.
    const perRun = runBytes === undefined || runBytes === 0 ? undefined : runBytes / finished
    const budget =
      perRun === undefined
        ? finished
        : Math.ceil(((used - settings.maxBytes) / perRun) * SIZE_BUDGET_FACTOR) + settings.batchSize
    while (!stopping && used > settings.maxBytes && report.runsBySize < budget) {
      const over = perRun === undefined ? settings.batchSize : Math.ceil((used - settings.maxBytes) / perRun)
      const limit = Math.min(settings.batchSize, Math.max(1, over), budget - report.runsBySize)
      const deleted = await deleteRuns(undefined, limit)
      report.runsBySize += deleted
      if (deleted === 0) break
      await pause()
      used = await usedBytes(client)
    }
  }

  async function pass(): Promise<PruneReport> {
    const at = now()
    const report: PruneReport = {
      runsByAge: 0,
      runsBySize: 0,
      payloads: 0,
      flowVersions: 0,
      bytesBefore: 0,
      bytesAfter: 0,
      capUnreachable: false,
    }
    if (settings.runMaxAgeMs > 0) {
      const ageLimit = lt(runs.finishedAt, at - settings.runMaxAgeMs)
      report.runsByAge = await untilDone(() => deleteRuns(ageLimit), settings.batchSize)
    }
    if (settings.payloadMaxAgeMs > 0) {
      report.payloads = await untilDone(() => deletePayloads(at - settings.payloadMaxAgeMs), 1)
    }
    if (settings.flowVersionsToKeep > 0) {
      report.flowVersions = await untilDone(deleteVersions, settings.batchSize)
    }
    if (deps.database.isFile && settings.maxBytes > 0) await pruneBySize(report)
    if (deps.database.isFile) {
      // executeMultiple runs the pragma to completion: through `execute` it frees one page per step
      // and leaves the statement open, which locks the table.
      await client.executeMultiple('PRAGMA incremental_vacuum;')
      report.bytesAfter = await usedBytes(client)
    }
    const total = report.runsByAge + report.runsBySize + report.payloads + report.flowVersions
    if (total > 0) log('info', `retention pruned ${prunedSummary(report)}`, report)
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
      const prune = () => {
        this.prune().catch((err) => log('warn', 'pruning old runs failed; will retry', err))
      }
      const first = setTimeout(prune, settings.firstPassDelayMs)
      const every = setInterval(prune, settings.intervalMs)
      first.unref()
      every.unref()
      timers.push(first, every)
    },
    /** Stop scheduling passes and cut a pass in progress short after its current batch. */
    async stop() {
      stopping = true
      for (const timer of timers.splice(0)) clearTimeout(timer)
      await running?.catch(() => {})
    },
  }
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10

export interface PruneReport {
  runsByAge: number
  runsBySize: number
  payloads: number
  flowVersions: number
  bytesBefore: number
  bytesAfter: number
  /** Over the cap with more than the cap in other data than runs: no run was deleted for size. */
  capUnreachable: boolean
}

export type Retention = ReturnType<typeof createRetention>

/** What a pass deleted, in words: `3 runs (2 by age, 1 for size), 40 flow versions`. */
function prunedSummary(report: PruneReport): string {
  const parts: string[] = []
  const runCount = report.runsByAge + report.runsBySize
  if (runCount > 0) {
    const why = [
      report.runsByAge > 0 && `${report.runsByAge} by age`,
      report.runsBySize > 0 && `${report.runsBySize} for size`,
    ].filter(Boolean)
    parts.push(`${countOf(runCount, 'run')} (${why.join(', ')})`)
  }
  if (report.payloads > 0) parts.push(countOf(report.payloads, 'step payload'))
  if (report.flowVersions > 0) parts.push(countOf(report.flowVersions, 'flow version'))
  return parts.join(', ')
}
