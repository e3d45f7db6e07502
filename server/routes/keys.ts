import { Hono } from 'hono'
import { z } from 'zod'
import { ROLES } from '../auth/roles.ts'
import type { ServerContext } from '../context.ts'
import { notFound } from '../errors.ts'
import { readJson } from '../http/body.ts'
import { queryOf } from '../http/query.ts'
import { parseInput } from '../parse-input.ts'

const createBody = z.strictObject({
  name: z.string().trim().min(1, 'name the key after who uses it').max(200),
  role: z.enum(ROLES),
  /** Limit the key to these flows; absent or empty means every flow. */
  flowIds: z.array(z.string().min(1).max(128)).max(1000).optional(),
})
const listQuery = z.object({ includeRevoked: z.enum(['true', 'false']).optional() })

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** API keys (admin only, see `route-permissions.ts`). The key itself is in the create answer only. */
export function keyRoutes(ctx: ServerContext) {
  const present = (info: Awaited<ReturnType<typeof ctx.keys.list>>[number]) => ({
    ...info,
    createdAt: iso(info.createdAt),
    lastUsedAt: iso(info.lastUsedAt),
    revokedAt: iso(info.revokedAt),
  })

  return new Hono()
    .post('/keys', async (c) => {
      const body = parseInput(createBody, (await readJson(c)) ?? {})
      const { key, info } = await ctx.keys.create(body)
      c.header('Location', `/api/keys/${info.id}`)
      c.header('Cache-Control', 'no-store')
      return c.json({ ...present(info), key, note: 'store this key now: it is not shown again' }, 201)
    })
    .get('/keys', async (c) => {
      const query = parseInput(listQuery, queryOf(c), 'query')
      const items = await ctx.keys.list({ includeRevoked: query.includeRevoked === 'true' })
      return c.json({ items: items.map(present) })
    })
    .delete('/keys/:id', async (c) => {
      const revoked = await ctx.keys.revoke(c.req.param('id'))
      if (!revoked) throw notFound('key', c.req.param('id'))
      return c.json(present(revoked))
    })
}
