import { Hono } from 'hono'
import { z } from 'zod'
import type { ServerContext } from '../context.ts'
import { readJson } from '../http/body.ts'
import { acceptsQuery, noQuery, trueOrFalse } from '../http/query.ts'

/** `?force=true` deletes an account even while flows are bound to it. */
const deleteQuery = z.object({ force: trueOrFalse })

/**
 * `/accounts`: CRUD over cloud accounts, and `/accounts/:id/test` (STS GetCallerIdentity).
 * Responses never carry a secret. Mounted under `/api`.
 */
export function accountRoutes(ctx: Pick<ServerContext, 'accountService'>) {
  const accounts = ctx.accountService
  return new Hono()
    .get('/accounts', noQuery, async (c) => c.json({ items: await accounts.list() }))
    .post('/accounts', noQuery, async (c) => {
      const created = await accounts.create(await readJson(c))
      c.header('Location', `/api/accounts/${created.id}`)
      return c.json(created, 201)
    })
    .get('/accounts/:id', noQuery, async (c) => c.json(await accounts.get(c.req.param('id'))))
    .put('/accounts/:id', noQuery, async (c) =>
      c.json(await accounts.update(c.req.param('id'), await readJson(c)))
    )
    .delete('/accounts/:id', acceptsQuery(deleteQuery), async (c) => {
      await accounts.remove(c.req.param('id'), { force: c.req.valid('query').force === true })
      return c.body(null, 204)
    })
    .post('/accounts/:id/test', noQuery, async (c) => c.json(await accounts.test(c.req.param('id'))))
}
