import { sql } from 'drizzle-orm'
import { Hono } from 'hono'
import type { ServerContext } from '../context.ts'

/** Liveness plus a database round trip, so a load balancer sees a server that cannot store runs. */
export function healthRoutes(ctx: ServerContext) {
  return new Hono().get('/healthz', async (c) => {
    try {
      await ctx.database.db.run(sql`select 1`)
      return c.json({ status: 'ok', database: 'ok' })
    } catch (err) {
      ctx.log('error', 'health check: the database did not answer', err)
      return c.json({ status: 'degraded', database: 'unreachable' }, 503)
    }
  })
}
