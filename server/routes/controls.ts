import { Hono } from 'hono'
import { z } from 'zod'
import type { ServerContext } from '../context.ts'
import { CONTROL_RESULTS } from '../db/schema/controls.ts'
import { AppError, notFound } from '../errors.ts'
import { presentControlResult } from '../http/present.ts'
import { acceptsQuery, listOf, pageQuery } from '../http/query.ts'
import { CONTROL_NODE_TYPE } from '../runs/control-results.ts'

/** Where a resource was judged: the account id its results carry (the AWS one when known) and region. */
const place = {
  accountId: z.string().min(1).max(256).optional(),
  region: z.string().min(1).max(64).optional(),
}
const latestQuery = pageQuery.extend({ result: listOf(CONTROL_RESULTS), ...place })
/** A resource id such as a `DBInstanceIdentifier` can repeat across accounts and regions. */
const historyQuery = pageQuery.extend(place)

/** What control nodes concluded per resource: the current state and one resource's history. */
export function controlRoutes(ctx: ServerContext) {
  /** The flow must exist and `nodeId` be one of its control nodes: anything else is a wrong address. */
  async function requireControlNode(id: string, nodeId: string) {
    const record = await ctx.flows.get(id)
    if (!record) throw notFound('flow', id)
    const node = record.flow.nodes.find((candidate) => candidate.id === nodeId)
    if (!node) {
      throw new AppError(404, 'NODE_NOT_FOUND', `flow "${id}" has no node "${nodeId}"`, { nodeId })
    }
    if (node.type !== CONTROL_NODE_TYPE) {
      throw new AppError(
        400,
        'NOT_A_CONTROL_NODE',
        `node "${nodeId}" is a "${node.type}" node; only ${CONTROL_NODE_TYPE} nodes have control results`,
        { nodeId, type: node.type }
      )
    }
  }

  return new Hono()
    .get('/flows/:id/controls/:nodeId/results', acceptsQuery(latestQuery), async (c) => {
      const { id, nodeId } = c.req.param()
      const query = c.req.valid('query')
      await requireControlNode(id, nodeId)
      const page = await ctx.controls.latest(id, nodeId, query)
      return c.json({ ...page, items: page.items.map(presentControlResult) })
    })
    .get('/flows/:id/controls/:nodeId/results/:resourceId/history', acceptsQuery(historyQuery), async (c) => {
      const { id, nodeId, resourceId } = c.req.param()
      const { accountId, region, ...page } = c.req.valid('query')
      await requireControlNode(id, nodeId)
      const places = await ctx.controls.placesOf(id, nodeId, resourceId, { accountId, region })
      // Mixing two resources' histories would look like one resource flapping; make the caller pick.
      if (places.length > 1) {
        throw new AppError(
          409,
          'AMBIGUOUS_RESOURCE',
          `resource "${resourceId}" was judged in ${places.length} account/region pairs; pick one with ?accountId=&region=`,
          { resourceId, matches: places }
        )
      }
      const [place] = places
      if (!place) return c.json({ items: [], total: 0, limit: page.limit, offset: page.offset })
      const history = await ctx.controls.history(id, nodeId, { resourceId, ...place }, page)
      return c.json({ ...history, items: history.items.map(presentControlResult) })
    })
}
