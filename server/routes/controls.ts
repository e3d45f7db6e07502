import { Hono } from 'hono'
import type { ServerContext } from '../context.ts'
import { CONTROL_RESULTS } from '../db/schema/controls.ts'
import { notFound } from '../errors.ts'
import { presentControlResult } from '../http/present.ts'
import { listOf, pageQuery, queryOf } from '../http/query.ts'
import { parseInput } from '../parse-input.ts'

const latestQuery = pageQuery.extend({ result: listOf(CONTROL_RESULTS) })

/** What control nodes concluded per resource: the current state and one resource's history. */
export function controlRoutes(ctx: ServerContext) {
  async function requireFlow(id: string) {
    if (!(await ctx.flows.exists(id))) throw notFound('flow', id)
  }

  return new Hono()
    .get('/flows/:id/controls/:nodeId/results', async (c) => {
      const { id, nodeId } = c.req.param()
      const query = parseInput(latestQuery, queryOf(c), 'query')
      await requireFlow(id)
      const page = await ctx.controls.latest(id, nodeId, query)
      return c.json({ ...page, items: page.items.map(presentControlResult) })
    })
    .get('/flows/:id/controls/:nodeId/results/:resourceId/history', async (c) => {
      const { id, nodeId, resourceId } = c.req.param()
      const query = parseInput(pageQuery, queryOf(c), 'query')
      await requireFlow(id)
      const page = await ctx.controls.history(id, nodeId, resourceId, query)
      return c.json({ ...page, items: page.items.map(presentControlResult) })
    })
}
