import { Hono } from 'hono'
import { z } from 'zod'
import { RUN_STATUSES } from '../../core/run/events.ts'
import { checkTargets } from '../auth/flow-limit.ts'
import { principalOf } from '../auth/middleware.ts'
import { requireKnownAccounts, runAccounts, runRegions } from '../aws/run-targets.ts'
import type { ServerContext } from '../context.ts'
import { AppError, notFound } from '../errors.ts'
import { readJson } from '../http/body.ts'
import { presentRun, presentRunWithSteps } from '../http/present.ts'
import { acceptsQuery, listOf, noQuery, pageQuery, trueOrFalse } from '../http/query.ts'
import { runEventStream } from '../http/run-event-stream.ts'
import { answerSubmission, idempotencyKeyOf, waitQuery } from '../http/run-request.ts'
import { variableOverrides } from '../http/variable-overrides.ts'
import { parseInput } from '../parse-input.ts'
import { requestHashOf } from '../runs/request-hash.ts'

const runBody = z.strictObject({
  input: z.unknown().optional(),
  variables: variableOverrides.optional(),
  accounts: runAccounts.optional(),
  regions: runRegions.optional(),
  until: z.string().min(1).max(128).optional(),
})
const runListQuery = pageQuery.extend({
  status: listOf(RUN_STATUSES),
  /** Only runs where a node ended `partial` (true), or only the others (false). */
  partial: trueOrFalse,
})
/**
 * A step payload in pages: `?limit=` (with `port=` and `offset=`) answers one port's items instead
 * of the whole payload, so a viewer never downloads a 60 MB output to show its first rows.
 */
const payloadQuery = z.object({
  port: z.string().min(1).max(128).optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000_000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
})

/**
 * One page of a stored payload (`{port: items[]}`): the chosen port's items from `offset`, with
 * every port's item count and the whole payload's size, so a viewer can say what it does not show.
 */
function payloadPage(json: string, query: z.infer<typeof payloadQuery>) {
  const parsed: unknown = JSON.parse(json)
  const ports: Record<string, unknown[]> = {}
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
    for (const [name, items] of Object.entries(parsed)) ports[name] = Array.isArray(items) ? items : [items]
  const port = query.port ?? Object.keys(ports)[0] ?? null
  if (query.port !== undefined && !(query.port in ports))
    throw new AppError(404, 'PORT_NOT_FOUND', `port: the step has no port "${query.port}"`, {
      field: 'port',
      ports: Object.keys(ports),
    })
  const all = port === null ? [] : ports[port]!
  const offset = query.offset ?? 0
  const limit = query.limit ?? 100
  return {
    port,
    offset,
    limit,
    total: all.length,
    items: all.slice(offset, offset + limit),
    ports: Object.fromEntries(Object.entries(ports).map(([name, items]) => [name, items.length])),
    bytes: Buffer.byteLength(json),
  }
}

/** Starting runs, their history and records, step payloads, cancellation and live events. */
export function runRoutes(ctx: ServerContext) {
  const { runs, runService } = ctx

  async function requireRun(id: string) {
    const run = await runs.getWithSteps(id)
    if (!run) throw notFound('run', id)
    return run
  }

  async function payload(runId: string, nodeId: string, side: 'input' | 'output') {
    const found = await runs.stepPayload(runId, nodeId, side)
    if (found.kind === 'found') return found.json
    if (found.kind === 'no-step') {
      if (!(await runs.get(runId))) throw notFound('run', runId)
      throw new AppError(404, 'STEP_NOT_FOUND', `run "${runId}" has no step for node "${nodeId}"`)
    }
    const run = await requireRun(runId)
    const step = run.steps.find((s) => s.nodeId === nodeId)
    if (step && (step.status === 'pending' || step.status === 'running')) {
      throw new AppError(
        409,
        'STEP_NOT_FINISHED',
        `node "${nodeId}" is ${step.status}; its ${side} is not stored yet`
      )
    }
    // Failed or cancelled before it produced anything.
    return '{}'
  }

  return new Hono()
    .post('/flows/:id/runs', acceptsQuery(waitQuery), async (c) => {
      const body = parseInput(runBody, (await readJson(c)) ?? {})
      const idempotencyKey = idempotencyKeyOf(c)
      const wait = c.req.valid('query').wait ?? 0
      // The key's limits first: a limited key must not learn which accounts exist.
      await checkTargets(ctx.flowService, c.req.param('id'), principalOf(c), body)
      await requireKnownAccounts(ctx.accounts, body.accounts)
      const submitted = await runService.submit(c.req.param('id'), body, 'api', {
        ...(idempotencyKey ? { idempotencyKey, requestHash: requestHashOf(body) } : {}),
      })
      return answerSubmission(c, ctx, submitted, wait)
    })
    .get('/flows/:id/runs', acceptsQuery(runListQuery), async (c) => {
      const flowId = c.req.param('id')
      const query = c.req.valid('query')
      if (!(await ctx.flows.exists(flowId))) throw notFound('flow', flowId)
      const page = await runs.listForFlow(flowId, query)
      return c.json({ ...page, items: page.items.map(presentRun) })
    })
    .get('/runs/:id', noQuery, async (c) => c.json(presentRunWithSteps(await requireRun(c.req.param('id')))))
    .get('/runs/:id/steps/:nodeId/:side{input|output}', acceptsQuery(payloadQuery), async (c) => {
      const { id, nodeId } = c.req.param()
      const side = c.req.param('side') as 'input' | 'output'
      const query = c.req.valid('query')
      const json = await payload(id, nodeId, side)
      if (query.limit !== undefined || query.port !== undefined || query.offset !== undefined)
        return c.json(payloadPage(json, query))
      const fileName = `run-${id}-${nodeId}-${side}.json`.replace(/[^\w.-]/g, '_')
      c.header('Content-Type', 'application/json; charset=utf-8')
      c.header('Content-Disposition', `attachment; filename="${fileName}"`)
      return c.body(json)
    })
    .post('/runs/:id/cancel', noQuery, async (c) => {
      const id = c.req.param('id')
      const status = await runService.cancel(id)
      return c.json({ id, status })
    })
    .get('/runs/:id/events', noQuery, (c) => runEventStream(c, ctx, c.req.param('id')))
}
