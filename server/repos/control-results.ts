import { and, desc, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Db } from '../db/client.ts'
import { type ControlResult, controlResults } from '../db/schema/controls.ts'
import type { Page, PageRequest } from './paging.ts'

export type ControlResultRow = typeof controlResults.$inferSelect

/** Where a resource lives; with its id, what tells two same-named resources apart. */
export interface ResourcePlace {
  accountId: string | null
  region: string | null
}

/** Equality that also matches a missing account or region (null) to a missing one. */
const same = (column: SQLiteColumn, value: string | null) =>
  value === null ? isNull(column) : eq(column, value)

/** Reads of what control nodes concluded; the run recorder writes them. */
export function createControlResultRepo(db: Db) {
  const ofControl = (flowId: string, nodeId: string) =>
    and(eq(controlResults.flowId, flowId), eq(controlResults.nodeId, nodeId))

  return {
    /**
     * The most recent result of each resource a control node judged, optionally only some results
     * or only one account's or region's resources.
     */
    async latest(
      flowId: string,
      nodeId: string,
      query: PageRequest & { result?: ControlResult[]; accountId?: string; region?: string }
    ): Promise<Page<ControlResultRow>> {
      // The newest row per resource has the highest id (ids only grow). Grouped in index order.
      const newest = db
        .select({ id: sql`max(${controlResults.id})` })
        .from(controlResults)
        .where(ofControl(flowId, nodeId))
        .groupBy(controlResults.resourceId, controlResults.accountId, controlResults.region)
      const filters: (SQL | undefined)[] = [sql`${controlResults.id} IN ${newest}`]
      if (query.result && query.result.length > 0) filters.push(inArray(controlResults.result, query.result))
      // Grouping is per (resource, account, region), so filtering the newest rows by place is exact.
      if (query.accountId !== undefined) filters.push(eq(controlResults.accountId, query.accountId))
      if (query.region !== undefined) filters.push(eq(controlResults.region, query.region))
      const where = and(...filters)
      const [items, [count]] = await Promise.all([
        db
          .select()
          .from(controlResults)
          .where(where)
          .orderBy(controlResults.resourceId, controlResults.accountId, controlResults.region)
          .limit(query.limit)
          .offset(query.offset),
        db.select({ total: sql<number>`count(*)` }).from(controlResults).where(where),
      ])
      return { items, total: count?.total ?? 0, limit: query.limit, offset: query.offset }
    },

    /** The places (account, region) where a control node judged a resource with this id. */
    async placesOf(
      flowId: string,
      nodeId: string,
      resourceId: string,
      filter: { accountId?: string; region?: string } = {}
    ): Promise<ResourcePlace[]> {
      return db
        .selectDistinct({ accountId: controlResults.accountId, region: controlResults.region })
        .from(controlResults)
        .where(
          and(
            ofControl(flowId, nodeId),
            eq(controlResults.resourceId, resourceId),
            filter.accountId === undefined ? undefined : eq(controlResults.accountId, filter.accountId),
            filter.region === undefined ? undefined : eq(controlResults.region, filter.region)
          )
        )
        .orderBy(controlResults.accountId, controlResults.region)
    },

    /** Every result recorded for one resource, newest first. */
    async history(
      flowId: string,
      nodeId: string,
      resource: ResourcePlace & { resourceId: string },
      page: PageRequest
    ): Promise<Page<ControlResultRow>> {
      const where = and(
        ofControl(flowId, nodeId),
        eq(controlResults.resourceId, resource.resourceId),
        same(controlResults.accountId, resource.accountId),
        same(controlResults.region, resource.region)
      )
      const [items, [count]] = await Promise.all([
        db
          .select()
          .from(controlResults)
          .where(where)
          .orderBy(desc(controlResults.id))
          .limit(page.limit)
          .offset(page.offset),
        db.select({ total: sql<number>`count(*)` }).from(controlResults).where(where),
      ])
      return { items, total: count?.total ?? 0, limit: page.limit, offset: page.offset }
    },
  }
}

export type ControlResultRepo = ReturnType<typeof createControlResultRepo>
