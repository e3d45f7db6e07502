import { randomUUID } from 'node:crypto'
import { and, desc, eq, inArray, type SQL, sql } from 'drizzle-orm'
import type { Flow } from '../../core/flow/schema.ts'
import type { Db } from '../db/client.ts'
import { controlResults, flows, flowVersions, runSteps, runs, stepPayloads } from '../db/schema/index.ts'
import { likeContains, type Page, type PageRequest } from './paging.ts'

export type StoredFlow = Flow & { id: string }

export interface FlowRecord {
  flow: StoredFlow
  version: number
  /** Which stored row: see `flows.generation` in the schema. */
  generation: string
  createdAt: number
  updatedAt: number
}

export interface FlowSummary {
  id: string
  name: string
  description: string
  categories: string[]
  deployed: boolean
  version: number
  nodeCount: number
  createdAt: number
  updatedAt: number
}

export interface FlowVersionSummary {
  version: number
  name: string
  deployed: boolean
  nodeCount: number
  createdAt: number
}

export type UpdateOutcome =
  | { kind: 'updated'; record: FlowRecord }
  | { kind: 'missing' }
  | { kind: 'conflict'; currentVersion: number }

/** What a flow list shows: everything but the document itself. */
export const summaryColumns = {
  id: flows.id,
  name: flows.name,
  description: flows.description,
  categories: flows.categories,
  deployed: flows.deployed,
  version: flows.version,
  nodeCount: flows.nodeCount,
  createdAt: flows.createdAt,
  updatedAt: flows.updatedAt,
}

/** Flows and their versions. Every write stores the new document as a version row too. */
export function createFlowRepo(db: Db, now: () => number = Date.now) {
  function rowOf(flow: StoredFlow, version: number, at: number) {
    return {
      name: flow.name,
      description: flow.description,
      categories: flow.categories,
      deployed: flow.deployed,
      version,
      nodeCount: flow.nodes.length,
      document: flow,
      updatedAt: at,
    }
  }

  return {
    async list(
      query: PageRequest & { q?: string; category?: string; ids?: string[] | null }
    ): Promise<Page<FlowSummary>> {
      const filters: SQL[] = []
      // An API key limited to some flows lists only those.
      if (query.ids) filters.push(query.ids.length > 0 ? inArray(flows.id, query.ids) : sql`0`)
      if (query.q) filters.push(sql`${flows.name} LIKE ${likeContains(query.q)} ESCAPE '\\'`)
      if (query.category) {
        filters.push(
          sql`EXISTS (SELECT 1 FROM json_each(${flows.categories}) WHERE json_each.value = ${query.category})`
        )
      }
      const where = filters.length > 0 ? and(...filters) : undefined
      const [items, [count]] = await Promise.all([
        db
          .select(summaryColumns)
          .from(flows)
          .where(where)
          .orderBy(desc(flows.updatedAt), flows.id)
          .limit(query.limit)
          .offset(query.offset),
        db.select({ total: sql<number>`count(*)` }).from(flows).where(where),
      ])
      return { items, total: count?.total ?? 0, limit: query.limit, offset: query.offset }
    },

    async get(id: string): Promise<FlowRecord | undefined> {
      const [row] = await db
        .select({
          document: flows.document,
          version: flows.version,
          generation: flows.generation,
          createdAt: flows.createdAt,
          updatedAt: flows.updatedAt,
        })
        .from(flows)
        .where(eq(flows.id, id))
      if (!row) return undefined
      return {
        flow: { ...row.document, id },
        version: row.version,
        generation: row.generation,
        createdAt: row.createdAt,
        updatedAt: row.updatedAt,
      }
    },

    /**
     * Which stored row and version the flow is at, alone: a cheap check before trusting a cached
     * document. `generation` tells a flow deleted and recreated under the same id from the old one.
     */
    async currentVersion(id: string): Promise<{ version: number; generation: string } | undefined> {
      const [row] = await db
        .select({ version: flows.version, generation: flows.generation })
        .from(flows)
        .where(eq(flows.id, id))
      return row
    },

    async exists(id: string): Promise<boolean> {
      const [row] = await db.select({ id: flows.id }).from(flows).where(eq(flows.id, id))
      return row !== undefined
    },

    /** Store a new flow as version 1. Returns undefined when the id is taken. */
    async create(flow: StoredFlow): Promise<FlowRecord | undefined> {
      const at = now()
      const generation = randomUUID()
      try {
        await db.batch([
          db.insert(flows).values({ id: flow.id, generation, createdAt: at, ...rowOf(flow, 1, at) }),
          db.insert(flowVersions).values({ flowId: flow.id, version: 1, document: flow, createdAt: at }),
        ])
      } catch (err) {
        // The batch is one transaction, so a taken id leaves nothing behind.
        if (isConstraintError(err)) return undefined
        throw err
      }
      return { flow, version: 1, generation, createdAt: at, updatedAt: at }
    },

    /**
     * Replace the document if the stored version is still `expectedVersion`. One batch, no
     * interactive transaction: the version row is copied from the updated flow row, so it exists
     * exactly when the update matched.
     */
    async update(id: string, flow: StoredFlow, expectedVersion: number): Promise<UpdateOutcome> {
      const at = now()
      const version = expectedVersion + 1
      const [updated] = await db.batch([
        db
          .update(flows)
          .set(rowOf(flow, version, at))
          .where(and(eq(flows.id, id), eq(flows.version, expectedVersion)))
          .returning({ generation: flows.generation, createdAt: flows.createdAt }),
        db.run(sql`INSERT OR IGNORE INTO ${flowVersions} (flow_id, version, document, created_at)
          SELECT id, version, document, updated_at FROM ${flows}
          WHERE id = ${id} AND version = ${version} AND updated_at = ${at}`),
      ])
      const row = updated[0]
      if (row)
        return {
          kind: 'updated',
          record: { flow, version, generation: row.generation, createdAt: row.createdAt, updatedAt: at },
        }
      const [current] = await db.select({ version: flows.version }).from(flows).where(eq(flows.id, id))
      return current ? { kind: 'conflict', currentVersion: current.version } : { kind: 'missing' }
    },

    async versions(id: string, page: PageRequest): Promise<Page<FlowVersionSummary>> {
      const [rows, [count]] = await Promise.all([
        db
          .select({
            version: flowVersions.version,
            name: sql<string>`json_extract(${flowVersions.document}, '$.name')`,
            deployed: sql<number>`json_extract(${flowVersions.document}, '$.deployed')`,
            nodeCount: sql<number>`json_array_length(${flowVersions.document}, '$.nodes')`,
            createdAt: flowVersions.createdAt,
          })
          .from(flowVersions)
          .where(eq(flowVersions.flowId, id))
          .orderBy(desc(flowVersions.version))
          .limit(page.limit)
          .offset(page.offset),
        db.select({ total: sql<number>`count(*)` }).from(flowVersions).where(eq(flowVersions.flowId, id)),
      ])
      const items = rows.map((row) => ({ ...row, deployed: Boolean(row.deployed) }))
      return { items, total: count?.total ?? 0, ...page }
    },

    async version(id: string, version: number): Promise<StoredFlow | undefined> {
      const [row] = await db
        .select({ document: flowVersions.document })
        .from(flowVersions)
        .where(and(eq(flowVersions.flowId, id), eq(flowVersions.version, version)))
      return row ? { ...row.document, id } : undefined
    },

    /**
     * Flows whose current version targets an account: in the flow's own `accounts` or in a node's
     * `config.accounts`. What an account delete must not pull out from under.
     */
    async boundTo(accountId: string): Promise<{ id: string; name: string }[]> {
      return db
        .select({ id: flows.id, name: flows.name })
        .from(flows)
        .where(
          sql`EXISTS (SELECT 1 FROM json_each(${flows.document}, '$.accounts') AS a WHERE a.value = ${accountId})
            OR EXISTS (SELECT 1 FROM json_each(${flows.document}, '$.nodes') AS n,
              json_each(n.value, '$.config.accounts') AS a WHERE a.value = ${accountId})`
        )
        .orderBy(flows.id)
    },

    /**
     * Delete a flow with its versions, runs and results, in one transaction; with
     * `expectedVersion`, only while the flow is still at that version. The flow row goes first and
     * the rest only once it is gone, so a delete that does not match leaves everything in place.
     */
    async delete(id: string, expectedVersion?: number): Promise<boolean> {
      const runIds = db.select({ id: runs.id }).from(runs).where(eq(runs.flowId, id))
      const gone = sql`NOT EXISTS (SELECT 1 FROM ${flows} WHERE ${flows.id} = ${id})`
      const results = await db.batch([
        db
          .delete(flows)
          .where(
            and(
              eq(flows.id, id),
              expectedVersion === undefined ? undefined : eq(flows.version, expectedVersion)
            )
          )
          .returning({ id: flows.id }),
        db.delete(stepPayloads).where(and(sql`${stepPayloads.runId} IN ${runIds}`, gone)),
        db.delete(runSteps).where(and(sql`${runSteps.runId} IN ${runIds}`, gone)),
        db.delete(runs).where(and(eq(runs.flowId, id), gone)),
        db.delete(controlResults).where(and(eq(controlResults.flowId, id), gone)),
        db.delete(flowVersions).where(and(eq(flowVersions.flowId, id), gone)),
      ])
      return results[0].length > 0
    },
  }
}

export type FlowRepo = ReturnType<typeof createFlowRepo>

function isConstraintError(err: unknown): boolean {
  const text = String((err as { code?: unknown })?.code ?? '') + String((err as Error)?.message ?? '')
  return /CONSTRAINT/i.test(text)
}
