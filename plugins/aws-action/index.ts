import { NodeExecutionError } from '../../core/errors.ts'
import { defineNodeType } from '../../core/plugin/define.ts'
import type { Item } from '../../core/plugin/types.ts'
import { reportedAccountId } from '../shared/account-ids.ts'
import type { AwsAccountView } from '../shared/aws.ts'
import { settleWithLimit } from '../shared/concurrency.ts'
import { type AwsErrorSummary, summariseAwsError } from '../shared/errors.ts'
import { getOrSet } from '../shared/maps.ts'
import { send, waiterFor } from '../shared/sdk.ts'
import { awsGateway } from '../shared/targets.ts'
import { type ActionSpec, actionSpec, actions } from './catalogue.ts'
import { type ActionConfig, actionConfig } from './config.ts'
import { type DistinctCall, distinctCalls } from './distinct-calls.ts'
import { type PlannedChange, planChange } from './plan.ts'

/** Resources changed at once; the gateway also caps calls per account and region. */
const CHANGES_AT_ONCE = 5

export type ActionStatus = 'dry-run' | 'simulated' | 'succeeded' | 'failed' | 'skipped'

function specOf(config: ActionConfig): ActionSpec {
  return actionSpec(`${config.service}.${config.action}`)!
}

export function actionPermissions(config: ActionConfig): string[] {
  const spec = specOf(config)
  const permissions = [`${spec.service}:${spec.operation}`]
  if (config.waitForCompletion && spec.waiter) permissions.push(spec.waiter.permission)
  return permissions
}

/**
 * Runs one AWS API action per incoming resource. Every resource gets its own result, one failure
 * never stops the others, and the change limit is checked on the whole plan before any call. A call
 * several resources need (the same revoke on a shared group) is made once; each result shares it.
 */
export default defineNodeType({
  manifest: {
    type: 'aws-action',
    version: 1,
    title: 'AWS Action',
    description: 'Changes AWS resources (e.g. makes an RDS instance private). Dry run by default.',
    category: 'aws',
    icon: 'wrench',
    color: '#d13212',
    inputs: [{ name: 'in', label: 'Resources' }],
    outputs: [{ name: 'out', label: 'Results' }],
    // Everything the type may call; a flow's own needs come from permissionsFor.
    permissions: [
      ...new Set(
        actions.flatMap((spec) => [
          `${spec.service}:${spec.operation}`,
          ...(spec.waiter ? [spec.waiter.permission] : []),
        ])
      ),
    ],
    widgets: { service: 'aws-service-picker', action: 'aws-action-picker', params: 'aws-params-mapper' },
  },
  config: actionConfig,
  permissionsFor: actionPermissions,
  async execute(ctx, input) {
    const { config } = ctx
    const spec = specOf(config)
    const aws = awsGateway(ctx)
    const items = Object.values(input).flat()
    const accounts = new Map<string, Promise<AwsAccountView>>()
    const accountOf = (accountId: string) => getOrSet(accounts, accountId, () => aws.account(accountId))
    const plans = await Promise.all(
      items.map(async (item) => {
        const plan = planChange(item, spec, ctx)
        // The AWS account id for the result, from the account record when the item does not say it;
        // an unknown account fails the resource later, with its own error.
        if (plan.accountId && !plan.awsAccountId) {
          const awsAccountId = await accountOf(plan.accountId).then(
            (account) => account.awsAccountId,
            () => undefined
          )
          if (awsAccountId) plan.awsAccountId = awsAccountId
        }
        return plan
      })
    )

    // The limit counts distinct changes, not resources: one security group shared by thirty
    // databases is one revoke (see distinct-calls.ts).
    const index = distinctCalls(plans)
    const changing = index.calls.length
    const resources = plans.filter((plan) => !plan.problem && plan.calls.length > 0).length
    if (changing > config.changeLimit) {
      const message = `${changing} distinct changes would be made (to ${resources} resources), more than the change limit of ${config.changeLimit}`
      if (!config.dryRun)
        throw new NodeExecutionError(
          `${message}; nothing was changed`,
          false,
          { changing, resources },
          'CHANGE_LIMIT'
        )
      ctx.partial(`${message}: a real run would stop before changing any`, { changing, resources })
    }

    const kindOf = async (accountId: string) => (await accountOf(accountId)).kind
    const settled = await settleWithLimit(index.calls, CHANGES_AT_ONCE, (call) => make(call))
    const outcomes: CallOutcome[] = settled.map((result) =>
      result.status === 'fulfilled'
        ? result.value
        : { status: 'failed', error: summariseAwsError(result.reason) }
    )
    const out: Item[] = plans.map((plan, at) => resultOf(plan, index.of[at]!))
    const failed = out.filter((item) => item.status === 'failed').length
    if (failed > 0) ctx.partial(`${failed} of ${out.length} resources failed`, { failed })
    return { out }

    /** One distinct call: sent (and waited for), simulated on a snapshot account, or only recorded. */
    async function make(call: DistinctCall): Promise<CallOutcome> {
      if (config.dryRun) return { status: 'dry-run' }
      if ((await kindOf(call.accountId)) === 'snapshot') {
        ctx.log(
          'info',
          `simulated ${spec.operation} for ${call.madeFor} (snapshot account ${call.accountId})`
        )
        return { status: 'simulated' }
      }
      const client = await aws.client(call.accountId, call.region, spec.service)
      let response: unknown
      try {
        response = withoutMetadata(await send(client, spec.service, spec.operation, call.input, ctx.signal))
      } catch (err) {
        return { status: 'failed', error: summariseAwsError(err) }
      }
      if (!config.waitForCompletion || !spec.waiter) return { status: 'succeeded', response }
      const waiter = await waiterFor(spec.service, spec.waiter.name)
      const waitInput = Object.fromEntries(spec.waiter.inputs.map((name) => [name, call.input[name]]))
      try {
        const outcome = await waiter(
          {
            client,
            maxWaitTime: config.waitTimeoutSeconds,
            minDelay: config.waitPollSeconds,
            maxDelay: Math.max(config.waitPollSeconds, 120),
            abortSignal: ctx.signal,
          },
          waitInput
        )
        return { status: 'succeeded', response, waited: outcome.state }
      } catch (err) {
        return {
          status: 'failed',
          response,
          error: { ...summariseAwsError(err), during: `waiting for ${spec.waiter.name}` },
        }
      }
    }

    /** A resource's result: the shared outcomes of its calls, naming the resource a call was made for. */
    function resultOf(plan: PlannedChange, callIds: number[]): Item {
      const base = {
        resourceId: plan.resourceId,
        // As in control results: the AWS account id when known; qflow's own id under its own name.
        accountId: reportedAccountId({ awsAccountId: plan.awsAccountId, accountId: plan.accountId }),
        qflowAccountId: plan.accountId ?? null,
        region: plan.region ?? null,
        action: spec.id,
      }
      const calls = plan.calls.map((input, at) => {
        const madeFor = callIds[at] === undefined ? undefined : index.calls[callIds[at]!]!.madeFor
        return {
          service: spec.service,
          operation: spec.operation,
          input,
          ...(madeFor !== undefined && madeFor !== plan.resourceId ? { sameCallAs: madeFor } : {}),
        }
      })
      if (plan.problem)
        return {
          ...base,
          status: 'failed',
          calls,
          error: { code: 'InvalidParameters', message: plan.problem },
        }
      if (plan.calls.length === 0)
        return { ...base, status: 'skipped', calls, reason: 'nothing to change on this resource' }
      const mine = callIds.map((id) => outcomes[id]!)
      const failure = mine.find((o) => o.status === 'failed')
      const status: ActionStatus = failure ? 'failed' : mine[0]!.status
      const responses = mine.flatMap((o) => ('response' in o && o.response !== undefined ? [o.response] : []))
      const states = mine.flatMap((o) => ('waited' in o && o.waited ? [o.waited] : []))
      const shared = [...new Set(calls.flatMap((c) => (c.sameCallAs ? [c.sameCallAs] : [])))]
      return {
        ...base,
        status,
        calls,
        ...(status === 'succeeded' || (failure && responses.length > 0) ? { responses } : {}),
        ...(failure ? { error: failure.error } : {}),
        ...(states.length > 0 && spec.waiter ? { waited: { waiter: spec.waiter.name, states } } : {}),
        ...(shared.length > 0 ? { note: sharedNote(status, shared, shared.length === calls.length) } : {}),
      }
    }
  },
})

type CallOutcome =
  | { status: 'dry-run' | 'simulated' }
  | { status: 'succeeded'; response: unknown; waited?: string }
  | { status: 'failed'; error: AwsErrorSummary & { during?: string }; response?: unknown }

/** Says that a call was made once for several resources, so a result without its own call is not a mystery. */
function sharedNote(status: ActionStatus, others: string[], all: boolean): string {
  const names = others.join(', ')
  const which = all ? 'the same call' : 'some of the same calls'
  if (status === 'dry-run') return `${which} is planned for ${names}; a real run makes it once`
  if (status === 'succeeded')
    return `${all ? 'already done' : 'partly done'} by ${names} (${which}, made once)`
  return `${which} was made once, for ${names}; this result shares its outcome`
}

function withoutMetadata(response: unknown): unknown {
  if (typeof response !== 'object' || response === null) return response
  const { $metadata: _, ...rest } = response as Record<string, unknown>
  return JSON.parse(JSON.stringify(rest))
}
