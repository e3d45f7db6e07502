import { NodeExecutionError } from '../../core/errors.ts'
import { defineNodeType } from '../../core/plugin/define.ts'
import type { Item } from '../../core/plugin/types.ts'
import { settleWithLimit } from '../shared/concurrency.ts'
import { summariseAwsError } from '../shared/errors.ts'
import { awsGateway, describeFailures, resolveTargets } from '../shared/targets.ts'
import { type ResourceMethod, resourceMethod, resourceMethods } from './catalogue.ts'
import { type ResourceConfig, resourceConfig } from './config.ts'
import type { Gap } from './details.ts'
import { fetchTarget } from './fetch.ts'

/** How many (account, region) listings run at once; the gateway caps calls per account and region. */
const TARGETS_AT_ONCE = 16

function methodOf(config: ResourceConfig) {
  return resourceMethod(`${config.service}.${config.method}`)!
}

/** The calls listing a method makes for each resource kind: its describe call and its details. */
const callsOf = (method: ResourceMethod) => [
  `${method.service}:${method.operation}`,
  ...(method.details ? [`${method.service}:${method.details.operation}`] : []),
]

export function resourcePermissions(config: ResourceConfig): string[] {
  const method = methodOf(config)
  const permissions = callsOf(method)
  for (const addon of method.addons ?? [])
    if (config.addons.includes(addon.key)) permissions.push(...callsOf(resourceMethod(addon.method)!))
  return [...new Set(permissions)]
}

/** `acct/us-east-1: PrefixLists DescribeManagedPrefixLists UnauthorizedOperation for pl-1, pl-2 (...)`. */
function describeGap(gap: Gap & { accountId: string; region: string }): string {
  return `${gap.accountId}/${gap.region}: ${gap.key} ${gap.operation} ${gap.code} for ${gap.ids.join(', ')} (${gap.message})`
}

/**
 * Lists AWS resources of one kind over every selected account and region at once, with addons
 * attached. A region that fails is reported and the rest are returned: the step ends `partial`.
 */
export default defineNodeType({
  manifest: {
    type: 'aws-resource',
    version: 1,
    title: 'AWS Resource',
    description: 'Fetches AWS resources (e.g. RDS DB instances) from the selected accounts and regions.',
    category: 'aws',
    icon: 'cloud',
    color: '#ff9900',
    inputs: [{ name: 'in' }],
    outputs: [{ name: 'out', label: 'Resources' }],
    // Everything the type may call; a flow's own needs come from permissionsFor.
    permissions: [...new Set(resourceMethods.flatMap(callsOf))],
    widgets: {
      service: 'aws-service-picker',
      method: 'aws-method-picker',
      params: 'aws-params-editor',
      addons: 'aws-addon-picker',
      accounts: 'aws-account-picker',
      regions: 'aws-region-picker',
    },
  },
  config: resourceConfig,
  permissionsFor: resourcePermissions,
  async execute(ctx) {
    const { config } = ctx
    const method = methodOf(config)
    const aws = awsGateway(ctx)
    const accountIds = config.accounts.length > 0 ? config.accounts : ctx.targets.accounts
    if (accountIds.length === 0)
      throw new NodeExecutionError('no AWS account selected: bind the flow or the node to an account')
    const regions = config.regions.length > 0 ? config.regions : ctx.targets.regions
    const { targets, failures, skipped } = await resolveTargets(aws, accountIds, regions)
    if (skipped.length > 0)
      ctx.log('info', `skipped regions not enabled on their account: ${skipped.join(', ')}`)

    const settled = await settleWithLimit(targets, TARGETS_AT_ONCE, (target) =>
      fetchTarget(aws, target, method, config.params, config.addons, ctx.signal)
    )
    const out: Item[] = []
    const gaps: (Gap & { accountId: string; region: string })[] = []
    settled.forEach((result, index) => {
      const { account, region } = targets[index]!
      if (result.status === 'fulfilled') {
        for (const item of result.value.resources) out.push(item)
        for (const gap of result.value.gaps) gaps.push({ accountId: account.id, region, ...gap })
        ctx.log('debug', `${account.id}/${region}: ${result.value.resources.length} ${method.label}`)
      } else failures.push({ accountId: account.id, region, ...summariseAwsError(result.reason) })
    })
    ctx.signal.throwIfAborted()
    const succeeded = settled.filter((result) => result.status === 'fulfilled').length
    if (failures.length > 0 && succeeded === 0)
      throw new NodeExecutionError(
        `every account and region failed: ${describeFailures(failures)}`,
        false,
        { failures },
        'AWS_ALL_FAILED'
      )
    if (gaps.length > 0) ctx.log('warn', `left unresolved: ${gaps.map(describeGap).join('; ')}`)
    // Access denied to an addon's call is a step problem (a permission to grant); an id the
    // service no longer knows is only unresolved, as a group nobody describes is.
    const denied = gaps.filter((gap) => gap.kind === 'denied')
    const reasons: string[] = []
    if (failures.length > 0)
      reasons.push(
        `${failures.length} account region(s) failed, ${succeeded} listed: ${describeFailures(failures)}`
      )
    if (denied.length > 0)
      reasons.push(`access denied, ids left unresolved: ${denied.map(describeGap).join('; ')}`)
    if (reasons.length > 0)
      ctx.partial(reasons.join('; '), {
        ...(failures.length > 0 ? { failures } : {}),
        ...(denied.length > 0 ? { gaps: denied } : {}),
      })
    return { out }
  },
})
