import { Hono } from 'hono'
import type { ServerContext } from '../context.ts'
import { readJson } from '../http/body.ts'
import { noQuery } from '../http/query.ts'

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
    .delete('/accounts/:id', noQuery, async (c) => {
      await accounts.remove(c.req.param('id'))
      return c.body(null, 204)
    })
    .post('/accounts/:id/test', noQuery, async (c) => c.json(await accounts.test(c.req.param('id'))))
}
