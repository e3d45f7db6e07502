import { NodeExecutionError } from '../../core/errors.ts'
import { defineNodeType } from '../../core/plugin/define.ts'
import type { Item } from '../../core/plugin/types.ts'
import { reportedAccountId } from '../shared/account-ids.ts'
import type { AwsAccountView } from '../shared/aws.ts'
import { settleWithLimit } from '../shared/concurrency.ts'
import { summariseAwsError } from '../shared/errors.ts'
import { getOrSet } from '../shared/maps.ts'
import { send, waiterFor } from '../shared/sdk.ts'
import { awsGateway } from '../shared/targets.ts'
import { type ActionSpec, actionSpec } from './catalogue.ts'
import { type ActionConfig, actionConfig } from './config.ts'
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
 * never stops the others, and the change limit is checked on the whole plan before any call.
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
    permissions: ['rds:ModifyDBInstance'],
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

    const changing = plans.filter((plan) => !plan.problem && plan.calls.length > 0).length
    if (changing > config.changeLimit) {
      const message = `${changing} resources would be changed, more than the change limit of ${config.changeLimit}`
      if (!config.dryRun)
        throw new NodeExecutionError(`${message}; nothing was changed`, false, { changing }, 'CHANGE_LIMIT')
      ctx.partial(`${message}: a real run would stop before changing any`, { changing })
    }

    const kindOf = async (accountId: string) => (await accountOf(accountId)).kind

    const settled = await settleWithLimit(plans, CHANGES_AT_ONCE, (plan) => apply(plan))
    const out: Item[] = settled.map((result, index) =>
      result.status === 'fulfilled'
        ? result.value
        : resultItem(plans[index]!, 'failed', { error: summariseAwsError(result.reason) })
    )
    const failed = out.filter((item) => item.status === 'failed').length
    if (failed > 0) ctx.partial(`${failed} of ${out.length} resources failed`, { failed })
    return { out }

    function resultItem(
      plan: PlannedChange,
      status: ActionStatus,
      extra: Record<string, unknown> = {}
    ): Item {
      return {
        resourceId: plan.resourceId,
        // As in control results: the AWS account id when known; qflow's own id under its own name.
        accountId: reportedAccountId({ awsAccountId: plan.awsAccountId, accountId: plan.accountId }),
        qflowAccountId: plan.accountId ?? null,
        region: plan.region ?? null,
        action: spec.id,
        status,
        calls: plan.calls.map((call) => ({ service: spec.service, operation: spec.operation, input: call })),
        ...extra,
      }
    }

    async function apply(plan: PlannedChange): Promise<Item> {
      if (plan.problem)
        return resultItem(plan, 'failed', { error: { code: 'InvalidParameters', message: plan.problem } })
      if (plan.calls.length === 0)
        return resultItem(plan, 'skipped', { reason: 'nothing to change on this resource' })
      if (config.dryRun) return resultItem(plan, 'dry-run')
      const accountId = plan.accountId!
      const region = plan.region!
      if ((await kindOf(accountId)) === 'snapshot') {
        ctx.log('info', `simulated ${spec.operation} on ${plan.resourceId} (snapshot account ${accountId})`)
        return resultItem(plan, 'simulated')
      }
      const client = await aws.client(accountId, region, spec.service)
      const responses: unknown[] = []
      try {
        for (const call of plan.calls)
          responses.push(await send(client, spec.service, spec.operation, call, ctx.signal))
      } catch (err) {
        return resultItem(plan, 'failed', { error: summariseAwsError(err), responses })
      }
      const done = resultItem(plan, 'succeeded', { responses: responses.map(withoutMetadata) })
      if (!config.waitForCompletion || !spec.waiter) return done
      const waiter = await waiterFor(spec.service, spec.waiter.name)
      const waits: string[] = []
      try {
        for (const call of plan.calls) {
          const waitInput = Object.fromEntries(spec.waiter.inputs.map((name) => [name, call[name]]))
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
          waits.push(outcome.state)
        }
      } catch (err) {
        return {
          ...done,
          status: 'failed',
          error: { ...summariseAwsError(err), during: `waiting for ${spec.waiter.name}` },
        }
      }
      return { ...done, waited: { waiter: spec.waiter.name, states: waits } }
    }
  },
})

function withoutMetadata(response: unknown): unknown {
  if (typeof response !== 'object' || response === null) return response
  const { $metadata: _, ...rest } = response as Record<string, unknown>
  return JSON.parse(JSON.stringify(rest))
}
