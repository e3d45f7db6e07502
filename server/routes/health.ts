import { sql } from 'drizzle-orm'
import { Hono } from 'hono'
import { keyRequiredFor } from '../auth/middleware.ts'
import type { ServerContext } from '../context.ts'

/**
 * Liveness plus a database round trip, so a load balancer sees a server that cannot store runs.
 * `keyRequired` says whether this caller needs an API key: the app asks it before any API call, so
 * a tab without a key shows the key prompt instead of a 401 in the console (it is no secret: any
 * API call without a key answers the same).
 */
export function healthRoutes(ctx: ServerContext) {
  return new Hono().get('/healthz', async (c) => {
    try {
      await ctx.database.db.run(sql`select 1`)
      const keyRequired = await keyRequiredFor(c, { settings: ctx.settings.auth, keys: ctx.keys })
      return c.json({ status: 'ok', database: 'ok', keyRequired })
    } catch (err) {
      ctx.log('error', 'health check: the database did not answer', err)
      return c.json({ status: 'degraded', database: 'unreachable' }, 503)
    }
  })
}
