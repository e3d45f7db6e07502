import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { AccountError, type AccountService } from '../aws/accounts-service.ts'

async function body(c: { req: { text(): Promise<string> } }): Promise<unknown> {
  const text = await c.req.text()
  if (text.trim() === '') throw new AccountError(400, 'BODY_MISSING', 'send the account as a JSON body')
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new AccountError(
      400,
      'JSON_MALFORMED',
      `the request body is not valid JSON: ${(err as Error).message}`
    )
  }
}

/**
 * `/accounts`: CRUD over cloud accounts, and `/accounts/:id/test` (STS GetCallerIdentity).
 * Responses never carry a secret. Mounted under `/api`.
 */
export function accountRoutes(accounts: AccountService) {
  const app = new Hono()
    .get('/accounts', async (c) => c.json({ items: await accounts.list() }))
    .post('/accounts', async (c) => {
      const created = await accounts.create(await body(c))
      c.header('Location', `/api/accounts/${created.id}`)
      return c.json(created, 201)
    })
    .get('/accounts/:id', async (c) => c.json(await accounts.get(c.req.param('id'))))
    .put('/accounts/:id', async (c) => c.json(await accounts.update(c.req.param('id'), await body(c))))
    .delete('/accounts/:id', async (c) => {
      await accounts.remove(c.req.param('id'))
      return c.body(null, 204)
    })
    .post('/accounts/:id/test', async (c) => c.json(await accounts.test(c.req.param('id'))))
  app.onError((err, c) => {
    if (err instanceof AccountError)
      return c.json(
        {
          error: {
            code: err.code,
            message: err.message,
            ...(err.details === undefined ? {} : { details: err.details }),
          },
        },
        err.status as ContentfulStatusCode
      )
    // Anything else is ours: say so without leaking internals.
    console.error(`${c.req.method} ${c.req.path} failed`, err)
    return c.json(
      { error: { code: 'INTERNAL', message: 'something went wrong on the server; it has been logged' } },
      500
    )
  })
  return app
}
