import { Hono } from 'hono'
import { z } from 'zod'
import type { Flow } from '../../core/flow/schema.ts'
import type { TriggerConfig } from '../../plugins/trigger/config.ts'
import { matchesEventPattern } from '../../plugins/trigger/event-pattern.ts'
import { checkRunTargets } from '../auth/flow-limit.ts'
import { principalOf } from '../auth/middleware.ts'
import { canUseFlow } from '../auth/roles.ts'
import { requireKnownAccounts, runAccounts, runRegions } from '../aws/run-targets.ts'
import type { ServerContext } from '../context.ts'
import { AppError } from '../errors.ts'
import { readJson } from '../http/body.ts'
import { acceptsQuery, noQuery } from '../http/query.ts'
import { answerSubmission, idempotencyKeyOf, waitQuery } from '../http/run-request.ts'
import { variableOverrides } from '../http/variable-overrides.ts'
import { parseInput, validationFailed } from '../parse-input.ts'
import { loadDeployedFlows } from '../triggers/deployed.ts'

/**
 * One event as EventBridge sends it to an API destination. `source` and `detail-type` are what
 * patterns match on first, so an event without them is refused rather than silently matching
 * nothing; the envelope's other fields are checked by type when present. Unknown keys pass through:
 * patterns may match on them.
 */
const eventSchema = z.looseObject({
  id: z.string().min(1).max(200).optional(),
  source: z.string().min(1).max(256),
  'detail-type': z.string().min(1).max(256),
  detail: z.record(z.string(), z.unknown()).optional(),
  version: z.string().max(64).optional(),
  account: z.string().max(64).optional(),
  region: z.string().max(64).optional(),
  time: z.string().max(64).optional(),
  resources: z.array(z.string().max(2048)).max(100).optional(),
})
type IncomingEvent = z.infer<typeof eventSchema>
const MAX_EVENTS = 100

/**
 * The body is one event or a list of them. Each shape is parsed on its own (not as a union), so an
 * error names the event's field, e.g. `detail-type` or `2.detail`, not "invalid input".
 */
function parseEvents(body: unknown): IncomingEvent[] {
  if (body === undefined) {
    throw new AppError(400, 'BODY_REQUIRED', 'send an EventBridge event, or a list of them, as JSON')
  }
  if (Array.isArray(body)) {
    return parseInput(z.array(eventSchema).min(1).max(MAX_EVENTS), body)
  }
  if (typeof body !== 'object' || body === null) {
    throw validationFailed([
      { field: 'body', message: `expected an event object or a list of 1 to ${MAX_EVENTS} events` },
    ])
  }
  return [parseInput(eventSchema, body)]
}

const totalcloudBody = z
  .strictObject({
    input: z.unknown().optional(),
    variables: variableOverrides.optional(),
    accounts: runAccounts.optional(),
    regions: runRegions.optional(),
  })
  .optional()

function triggerOf(flow: Flow): TriggerConfig | undefined {
  return flow.nodes.find((node) => node.type === 'trigger')?.config as TriggerConfig | undefined
}

/**
 * Endpoints that start runs of deployed flows for their triggers: TotalCloud (a connector, with an
 * API key or an HMAC signature) and Event (cloud events matched against event-trigger patterns).
 */
export function triggerRoutes(ctx: ServerContext) {
  return new Hono()
    .post('/flows/:id/trigger/totalcloud', acceptsQuery(waitQuery), async (c) => {
      const id = c.req.param('id')
      const body = parseInput(totalcloudBody, await readJson(c)) ?? {}
      await requireKnownAccounts(ctx.accounts, body.accounts)
      const wait = c.req.valid('query').wait ?? 0
      const record = await ctx.flowService.require(id)
      if (triggerOf(record.flow)?.kind !== 'totalcloud') {
        throw new AppError(409, 'TRIGGER_MISMATCH', `flow "${id}" does not have a TotalCloud trigger`)
      }
      checkRunTargets(principalOf(c), record.flow, body)
      const idempotencyKey = idempotencyKeyOf(c)
      const submitted = await ctx.runService.submit(id, body, 'totalcloud', {
        requireDeployed: true,
        ...(idempotencyKey ? { idempotencyKey } : {}),
      })
      return answerSubmission(c, ctx, submitted, wait)
    })
    .post('/events', noQuery, async (c) => {
      const events = parseEvents(await readJson(c))
      const principal = principalOf(c)
      const flows = (await loadDeployedFlows(ctx.database.db)).filter(
        (deployed) =>
          triggerOf(deployed.flow)?.kind === 'event' && (!principal || canUseFlow(principal, deployed.id))
      )
      const runs: { flowId: string; runId: string; eventId: string | null; outcome: string }[] = []
      for (const event of events) {
        for (const deployed of flows) {
          const trigger = triggerOf(deployed.flow) as Extract<TriggerConfig, { kind: 'event' }>
          if (!matchesEventPattern(trigger.pattern, event)) continue
          // EventBridge delivers at least once: its event id makes a redelivery the same run.
          const submitted = await ctx.runService.submit(deployed.id, { input: { event } }, 'event', {
            requireDeployed: true,
            ...(event.id ? { idempotencyKey: `event:${event.id}` } : {}),
          })
          runs.push({
            flowId: deployed.id,
            runId: submitted.run.id,
            eventId: event.id ?? null,
            outcome: submitted.outcome,
          })
        }
      }
      return c.json({ received: events.length, matched: runs.length, runs }, runs.length > 0 ? 202 : 200)
    })
}
