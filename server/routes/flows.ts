import { type Context, Hono } from 'hono'
import { z } from 'zod'
import { flowPermissions } from '../../core/flow/permissions.ts'
import { CONTROL_CHARACTER } from '../../core/flow/text-rules.ts'
import { checkCreatableFlow, checkSavedTargets } from '../auth/flow-limit.ts'
import { principalOf } from '../auth/middleware.ts'
import type { ServerContext } from '../context.ts'
import { AppError } from '../errors.ts'
import type { SaveGuard } from '../flows/service.ts'
import { readJson } from '../http/body.ts'
import { etagOf, versionFromIfMatch } from '../http/if-match.ts'
import { presentFlow, presentFlowSummary, presentFlowVersion } from '../http/present.ts'
import { acceptsQuery, noQuery, pageQuery, trueOrFalse } from '../http/query.ts'
import { parseInput } from '../parse-input.ts'

const listQuery = pageQuery.extend({
  // No flow name holds a control character, and a NUL here matched every flow: refused as a mistake.
  q: z
    .string()
    .max(200)
    .refine((q) => !CONTROL_CHARACTER.test(q), 'cannot contain control characters')
    .optional(),
  category: z.string().max(64).optional(),
})
const importQuery = z.object({ newId: trueOrFalse })
const versionParam = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER)

const versionConflict = (current: number, expected: number) =>
  new AppError(409, 'VERSION_CONFLICT', `the flow is at version ${current}, not ${expected}`, {
    currentVersion: current,
  })

/** Accounts and regions a save may point the flow at: what the caller's key may target at run time. */
const targetGuard =
  (c: Context): SaveGuard =>
  (flow, previous) =>
    checkSavedTargets(principalOf(c), flow, previous)

/** Flow documents: CRUD with optimistic versioning, versions, deploy, export and import. */
export function flowRoutes(ctx: ServerContext) {
  const { flows, flowService } = ctx

  /**
   * Arm or disarm the flow's trigger here at once, from the flow as stored when its turn comes (not
   * as this request saved it: a concurrent save may have landed since). Other processes follow at
   * their next sync.
   */
  const rearm = (id: string) =>
    ctx.triggers.refresh(id, async () => {
      const record = await flows.get(id)
      return record?.flow.deployed ? { id, version: record.version, flow: { ...record.flow, id } } : undefined
    })

  /** Deploy or undeploy: validated by the service, trigger re-armed, new version answered. */
  const setDeployed = async (c: Context, deployed: boolean) => {
    const id = c.req.param('id')!
    const saved = await flowService.setDeployed(id, deployed, versionFromIfMatch(c.req.header('if-match')))
    await rearm(id)
    c.header('ETag', etagOf(saved.record.version))
    return c.json(presentFlow(saved.record, saved.problems))
  }

  return new Hono()
    .get('/flows', acceptsQuery(listQuery), async (c) => {
      const query = c.req.valid('query')
      const page = await flows.list({ ...query, ids: principalOf(c)?.flowIds ?? null })
      return c.json({ ...page, items: page.items.map(presentFlowSummary) })
    })
    .post('/flows', noQuery, async (c) => {
      const body = await readJson(c)
      checkCreatableFlow(principalOf(c), body)
      const saved = await flowService.create(body, { guard: targetGuard(c) })
      await rearm(saved.record.flow.id)
      c.header('Location', `/api/flows/${saved.record.flow.id}`)
      c.header('ETag', etagOf(saved.record.version))
      return c.json(presentFlow(saved.record, saved.problems), 201)
    })
    .post('/flows/validate', noQuery, async (c) => c.json({ problems: flowService.check(await readJson(c)) }))
    .post('/flows/import', acceptsQuery(importQuery), async (c) => {
      const query = c.req.valid('query')
      const freshId = query.newId === true
      const body = await readJson(c)
      checkCreatableFlow(principalOf(c), body, { freshId })
      const saved = await flowService.create(body, { freshId, guard: targetGuard(c) })
      await rearm(saved.record.flow.id)
      c.header('Location', `/api/flows/${saved.record.flow.id}`)
      c.header('ETag', etagOf(saved.record.version))
      return c.json(presentFlow(saved.record, saved.problems), 201)
    })
    .get('/flows/:id', noQuery, async (c) => {
      const record = await flowService.require(c.req.param('id'))
      c.header('ETag', etagOf(record.version))
      return c.json(presentFlow(record, await flowService.problemsOf(record.flow)))
    })
    .get('/flows/:id/permissions', noQuery, async (c) => {
      const record = await flowService.require(c.req.param('id'))
      return c.json(flowPermissions(record.flow, ctx.registry))
    })
    .put('/flows/:id', noQuery, async (c) => {
      const id = c.req.param('id')
      const expected = versionFromIfMatch(c.req.header('if-match'))
      const body = await readJson(c)
      if (expected === undefined) {
        await flowService.require(id)
        throw new AppError(
          428,
          'IF_MATCH_REQUIRED',
          'If-Match: send the version you edited, e.g. If-Match: "3"',
          {
            field: 'If-Match',
          }
        )
      }
      const saved = await flowService.replace(id, body, expected, targetGuard(c))
      await rearm(id)
      c.header('ETag', etagOf(saved.record.version))
      return c.json(presentFlow(saved.record, saved.problems))
    })
    .delete('/flows/:id', noQuery, async (c) => {
      const id = c.req.param('id')
      const expected = versionFromIfMatch(c.req.header('if-match'))
      const record = await flowService.require(id)
      if (expected !== undefined && expected !== record.version)
        throw versionConflict(record.version, expected)
      await ctx.triggers.refresh(id, undefined)
      await ctx.runService.cancelFlowRuns(id)
      // The delete itself is conditional on the version: a save that landed since the check above
      // is not deleted unseen. Its trigger is armed again and the caller hears of the conflict.
      if (!(await flows.delete(id, expected))) {
        await rearm(id)
        const current = await flowService.require(id)
        throw versionConflict(current.version, expected ?? record.version)
      }
      return c.body(null, 204)
    })
    .get('/flows/:id/versions', acceptsQuery(pageQuery), async (c) => {
      const id = c.req.param('id')
      const page = c.req.valid('query')
      await flowService.require(id)
      const versions = await flows.versions(id, page)
      return c.json({ ...versions, items: versions.items.map(presentFlowVersion) })
    })
    .get('/flows/:id/versions/:version', noQuery, async (c) => {
      const id = c.req.param('id')
      const version = parseInput(versionParam, c.req.param('version'), 'version')
      await flowService.require(id)
      const flow = await flows.version(id, version)
      if (!flow) throw new AppError(404, 'VERSION_NOT_FOUND', `flow "${id}" has no version ${version}`)
      return c.json({ flow, version })
    })
    .post('/flows/:id/deploy', noQuery, (c) => setDeployed(c, true))
    .post('/flows/:id/undeploy', noQuery, (c) => setDeployed(c, false))
    .get('/flows/:id/export', noQuery, async (c) => {
      const record = await flowService.require(c.req.param('id'))
      const fileName = `${record.flow.id}.qflow.json`
      c.header('Content-Disposition', `attachment; filename="${fileName}"`)
      return c.json(record.flow)
    })
}
