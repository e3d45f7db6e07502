import { and, desc, eq, inArray, type SQL, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { type ControlResult, controlResults } from '../db/schema/controls.ts'
import type { Page, PageRequest } from './paging.ts'

export type ControlResultRow = typeof controlResults.$inferSelect

/** Reads of what control nodes concluded; the run recorder writes them. */
export function createControlResultRepo(db: Db) {
  return {
    /** The most recent result of each resource a control node judged, optionally only some results. */
    async latest(
      flowId: string,
      nodeId: string,
      query: PageRequest & { result?: ControlResult[] }
    ): Promise<Page<ControlResultRow>> {
      // The newest row per resource has the highest id (ids only grow).
      const newest = db
        .select({ id: sql`max(${controlResults.id})` })
        .from(controlResults)
        .where(and(eq(controlResults.flowId, flowId), eq(controlResults.nodeId, nodeId)))
        .groupBy(controlResults.resourceId)
      const filters: (SQL | undefined)[] = [sql`${controlResults.id} IN ${newest}`]
      if (query.result && query.result.length > 0) filters.push(inArray(controlResults.result, query.result))
      const where = and(...filters)
      const [items, [count]] = await Promise.all([
        db
          .select()
          .from(controlResults)
          .where(where)
          .orderBy(controlResults.resourceId)
          .limit(query.limit)
          .offset(query.offset),
        db.select({ total: sql<number>`count(*)` }).from(controlResults).where(where),
      ])
      return { items, total: count?.total ?? 0, limit: query.limit, offset: query.offset }
    },

    /** Every result recorded for one resource, newest first. */
    async history(
      flowId: string,
      nodeId: string,
      resourceId: string,
      page: PageRequest
    ): Promise<Page<ControlResultRow>> {
      const where = and(
        eq(controlResults.flowId, flowId),
        eq(controlResults.nodeId, nodeId),
        eq(controlResults.resourceId, resourceId)
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
