import { Hono } from 'hono'
import { z } from 'zod'
import { keyRequest } from '../auth/key-request.ts'
import { principalOf } from '../auth/middleware.ts'
import type { ServerContext } from '../context.ts'
import { AppError, notFound } from '../errors.ts'
import { readJson } from '../http/body.ts'
import { acceptsQuery, noQuery, trueOrFalse } from '../http/query.ts'
import { parseInput } from '../parse-input.ts'

const listQuery = z.object({ includeRevoked: trueOrFalse })

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
    .post('/keys', noQuery, async (c) => {
      const body = parseInput(keyRequest, (await readJson(c)) ?? {})
      if (principalOf(c)?.id === 'local' && ctx.settings.auth.mode === 'auto' && body.role !== 'admin') {
        // The first key ends single-user mode; unless it is an admin key nobody could manage keys after.
        throw new AppError(
          400,
          'VALIDATION_FAILED',
          'role: the first key must be an admin key, because creating it ends keyless single-user mode ' +
            'and no one would be left to manage keys; create an admin key first',
          { issues: [{ field: 'role', message: 'the first key must be admin' }] }
        )
      }
      const { key, info } = await ctx.keys.create(body)
      c.header('Location', `/api/keys/${info.id}`)
      c.header('Cache-Control', 'no-store')
      return c.json({ ...present(info), key, note: 'store this key now: it is not shown again' }, 201)
    })
    .get('/keys', acceptsQuery(listQuery), async (c) => {
      const query = c.req.valid('query')
      const items = await ctx.keys.list({ includeRevoked: query.includeRevoked === true })
      return c.json({ items: items.map(present) })
    })
    .delete('/keys/:id', noQuery, async (c) => {
      // Without an admin token, the last admin key is all that keeps keys manageable and the server
      // closed (QFLOW_AUTH=local never needed one).
      const { adminToken, mode } = ctx.settings.auth
      const revoked = await ctx.keys.revoke(c.req.param('id'), {
        keepAnAdmin: !adminToken && mode !== 'local',
      })
      if (!revoked) throw notFound('key', c.req.param('id'))
      return c.json(present(revoked))
    })
}
