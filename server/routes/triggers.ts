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
import { answerSubmission, idempotencyKeyOf, waitSecondsOf } from '../http/run-request.ts'
import { parseInput } from '../parse-input.ts'
import { loadDeployedFlows } from '../triggers/deployed.ts'

/** One event as EventBridge sends it to an API destination, or a list of them. */
const eventSchema = z
  .object({ id: z.string().max(200).optional(), source: z.string().max(256).optional() })
  .catchall(z.unknown())
const eventsBody = z.union([eventSchema, z.array(eventSchema).min(1).max(100)])

const totalcloudBody = z
  .strictObject({
    input: z.unknown().optional(),
    variables: z.record(z.string(), z.unknown()).optional(),
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
    .post('/flows/:id/trigger/totalcloud', async (c) => {
      const id = c.req.param('id')
      const body = parseInput(totalcloudBody, await readJson(c)) ?? {}
      await requireKnownAccounts(ctx.accounts, body.accounts)
      const wait = waitSecondsOf(c)
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
    .post('/events', async (c) => {
      const body = parseInput(eventsBody, await readJson(c))
      const events = Array.isArray(body) ? body : [body]
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
