import { and, asc, desc, eq, gte, inArray, lte, type SQL, sql } from 'drizzle-orm'
import { Hono } from 'hono'
import { z } from 'zod'
import { checkTargets } from '../auth/flow-limit.ts'
import { principalOf } from '../auth/middleware.ts'
import { requireKnownAccounts, requireRegionNames } from '../aws/run-targets.ts'
import { listParams, orderOf, pageOf, qqlTerms } from '../compat/params.ts'
import {
  CUSTOMER_ID,
  overrideVariablesOf,
  presentExecution,
  presentExecutionStep,
  presentStepOutput,
  runStatusFromCompat,
} from '../compat/present.ts'
import { PUBLIC_API_QUERY } from '../compat/query-params.ts'
import { runSettingsOf, variablesOf } from '../compat/run-variables.ts'
import type { ServerContext } from '../context.ts'
import { flows } from '../db/schema/flows.ts'
import { runs as runsTable } from '../db/schema/runs.ts'
import { AppError, notFound } from '../errors.ts'
import { readJson } from '../http/body.ts'
import { acceptsQuery, noQuery, trueOrFalse } from '../http/query.ts'
import { idempotencyKeyOf } from '../http/run-request.ts'
import { parseInput } from '../parse-input.ts'
import { summaryColumns } from '../repos/flows.ts'
import { likeContains } from '../repos/paging.ts'

/** `input` may be JSON or a string holding JSON (the public API documents it as a string). */
const jsonish = z.unknown().transform((value, ctx) => {
  if (typeof value !== 'string') return value
  try {
    return JSON.parse(value) as unknown
  } catch {
    ctx.addIssue({ code: 'custom', message: 'a JSON value, or a string holding one' })
    return z.NEVER
  }
})
const runBody = z
  .object({
    input: jsonish.optional(),
    // An object by name or a list of {key, value}: see variablesOf.
    variables: jsonish.optional(),
  })
  .optional()
const detailsQuery = z.object({ includeSteps: trueOrFalse })

/**
 * The public QFlow API's routes and envelopes, so scripts written for it work against qflow:
 * lists answer `{total, items}`, single records `{data}`, a step `{...}` and its output an array.
 * Mounted at `/qflowapi/v1` with the same keys and permissions as `/api`.
 */
export function qflowApiRoutes(ctx: ServerContext) {
  const { db } = ctx.database

  async function requireExecution(id: string) {
    const run = await ctx.runs.getWithSteps(id)
    if (!run) throw notFound('execution', id)
    return run
  }

  return new Hono()
    .get('/workflows', acceptsQuery(listParams, PUBLIC_API_QUERY.workflows), async (c) => {
      const params = c.req.valid('query')
      const terms = qqlTerms(params.query, ['name', 'id', 'deployed'])
      const order = orderOf(params, ['createdAt', 'updatedAt', 'name'] as const, 'updatedAt')
      const limitedTo = principalOf(c)?.flowIds ?? null
      const filters: (SQL | undefined)[] = [
        terms.name ? sql`${flows.name} LIKE ${likeContains(terms.name)} ESCAPE '\\'` : undefined,
        terms.id ? eq(flows.id, terms.id) : undefined,
        terms.deployed ? eq(flows.deployed, terms.deployed === 'true') : undefined,
        params.startAt !== undefined ? gte(flows.createdAt, params.startAt) : undefined,
        params.endAt !== undefined ? lte(flows.createdAt, params.endAt) : undefined,
        limitedTo ? inArray(flows.id, limitedTo.length > 0 ? limitedTo : ['']) : undefined,
      ]
      const where = and(...filters)
      const column = { createdAt: flows.createdAt, updatedAt: flows.updatedAt, name: flows.name }[order.field]
      const page = pageOf(params)
      const [items, [count]] = await Promise.all([
        db
          .select(summaryColumns)
          .from(flows)
          .where(where)
          .orderBy(order.descending ? desc(column) : asc(column), flows.id)
          .limit(page.limit)
          .offset(page.offset),
        db.select({ total: sql<number>`count(*)` }).from(flows).where(where),
      ])
      return c.json({
        total: count?.total ?? 0,
        items: items.map((flow) => ({
          ...flow,
          customerId: CUSTOMER_ID,
          status: flow.deployed ? 'DEPLOYED' : 'UNDEPLOYED',
        })),
      })
    })
    .get('/workflows/:id', noQuery, async (c) => {
      const record = await ctx.flowService.require(c.req.param('id'))
      return c.json({
        data: {
          ...record.flow,
          customerId: CUSTOMER_ID,
          version: record.version,
          status: record.flow.deployed ? 'DEPLOYED' : 'UNDEPLOYED',
          createdAt: record.createdAt,
          updatedAt: record.updatedAt,
        },
      })
    })
    .post('/workflows/:id/run', noQuery, async (c) => {
      const id = c.req.param('id')
      const body = parseInput(runBody, await readJson(c)) ?? {}
      const { variables, targets, accountsFrom } = runSettingsOf(variablesOf(body.variables))
      await checkTargets(ctx.flowService, id, principalOf(c), targets)
      requireRegionNames(targets.regions, 'variables.region')
      await requireKnownAccounts(ctx.accounts, targets.accounts, accountsFrom)
      const idempotencyKey = idempotencyKeyOf(c)
      const submitted = await ctx.runService.submit(
        id,
        {
          ...(body.input !== undefined ? { input: body.input } : {}),
          ...(Object.keys(variables).length > 0 ? { variables } : {}),
          ...targets,
        },
        'public-api',
        idempotencyKey ? { idempotencyKey } : {}
      )
      if (submitted.outcome === 'skipped') {
        throw new AppError(
          409,
          'RUN_SKIPPED',
          `workflow "${id}" is already running and its overlap policy is skip`,
          {
            activeRunId: submitted.run.id,
          }
        )
      }
      const run = submitted.run
      c.header('Location', `/qflowapi/v1/executions/${run.id}`)
      return c.json(
        {
          data: {
            customerId: CUSTOMER_ID,
            workflowId: id,
            input: run.input ?? {},
            executionId: run.id,
            forceRun: true,
            overrideVariables: overrideVariablesOf(run),
            source: 'PUBLIC_API',
          },
        },
        202
      )
    })
    .get('/workflows/:id/executions', acceptsQuery(listParams, PUBLIC_API_QUERY.executions), async (c) => {
      const flowId = c.req.param('id')
      const params = c.req.valid('query')
      const terms = qqlTerms(params.query, ['status', 'id', 'source'])
      const status = terms.status === undefined ? undefined : runStatusFromCompat(terms.status)
      if (terms.status !== undefined && !status) {
        throw new AppError(
          400,
          'VALIDATION_FAILED',
          'query: status is one of Queued, Running, Success, Failed, Cancelled',
          {
            issues: [{ field: 'query', message: 'unknown status' }],
          }
        )
      }
      await ctx.flowService.require(flowId)
      const order = orderOf(params, ['createdAt', 'updatedAt', 'status'] as const, 'createdAt')
      const updatedAt = sql`coalesce(${runsTable.finishedAt}, ${runsTable.startedAt}, ${runsTable.createdAt})`
      const where = and(
        eq(runsTable.flowId, flowId),
        status ? eq(runsTable.status, status) : undefined,
        terms.id ? eq(runsTable.id, terms.id) : undefined,
        terms.source
          ? terms.source === 'PUBLIC_API'
            ? eq(runsTable.triggeredBy, 'public-api')
            : sql`${runsTable.triggeredBy} <> 'public-api'`
          : undefined,
        params.startAt !== undefined ? gte(runsTable.createdAt, params.startAt) : undefined,
        params.endAt !== undefined ? lte(runsTable.createdAt, params.endAt) : undefined
      )
      const column = { createdAt: runsTable.createdAt, updatedAt, status: runsTable.status }[order.field]
      const page = pageOf(params)
      const [items, [count]] = await Promise.all([
        db
          .select()
          .from(runsTable)
          .where(where)
          .orderBy(order.descending ? desc(column) : asc(column), desc(sql`rowid`))
          .limit(page.limit)
          .offset(page.offset),
        db.select({ total: sql<number>`count(*)` }).from(runsTable).where(where),
      ])
      return c.json({ total: count?.total ?? 0, items: items.map(presentExecution) })
    })
    .get('/executions/:id', acceptsQuery(detailsQuery, PUBLIC_API_QUERY.execution), async (c) => {
      const query = c.req.valid('query')
      const run = await requireExecution(c.req.param('id'))
      return c.json({
        data: {
          ...presentExecution(run),
          ...(query.includeSteps === true
            ? { steps: run.steps.map((step) => presentExecutionStep(run, step)) }
            : {}),
        },
      })
    })
    .get('/executions/:id/steps', noQuery, async (c) => {
      const run = await requireExecution(c.req.param('id'))
      return c.json({
        total: run.steps.length,
        items: run.steps.map((step) => presentExecutionStep(run, step)),
      })
    })
    .get('/executions/:id/steps/:nodeId', noQuery, async (c) => {
      const run = await requireExecution(c.req.param('id'))
      const step = run.steps.find((s) => s.nodeId === c.req.param('nodeId'))
      if (!step) throw notFound('step', c.req.param('nodeId'))
      return c.json(presentExecutionStep(run, step))
    })
    .get('/executions/:id/steps/:nodeId/output', noQuery, async (c) => {
      const { id, nodeId } = c.req.param()
      const run = await requireExecution(id)
      const found = await ctx.runs.stepPayload(id, nodeId, 'output')
      if (found.kind === 'no-step') throw notFound('step', nodeId)
      if (found.kind === 'not-yet') {
        const step = run.steps.find((s) => s.nodeId === nodeId)
        if (step && (step.status === 'pending' || step.status === 'running')) {
          throw new AppError(
            409,
            'STEP_NOT_FINISHED',
            `node "${nodeId}" is ${step.status}; its output is not stored yet`
          )
        }
        return c.json([])
      }
      return c.json(presentStepOutput(run, nodeId, JSON.parse(found.json)))
    })
}
