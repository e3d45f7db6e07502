import type { NodeContext } from '../../core/plugin/types.ts'
import type { AwsAccountView, AwsGateway } from './aws.ts'
import { type AwsErrorSummary, summariseAwsError } from './errors.ts'

/** One account and region a node works on. */
export interface AwsTarget {
  account: AwsAccountView
  region: string
}

export interface TargetFailure extends AwsErrorSummary {
  accountId: string
  /** `*` when the whole account failed (unknown account, no regions). */
  region: string
}

/** The gateway, or a clear error when the host provides none (e.g. a test registry without AWS). */
export function awsGateway(ctx: NodeContext<unknown>): AwsGateway {
  const aws = ctx.services.aws
  if (!aws) throw new Error('this qflow host has no AWS service configured')
  return aws
}

/**
 * Expand the selected accounts and regions (the node's own choice, else the run's targets) into
 * (account, region) pairs. An account's own region list bounds what it is asked about: a flow bound
 * to `eu-west-1` does not call an account that only enables `us-east-1`. A snapshot account is the
 * exception: its regions are what was recorded, and a region it never recorded has no answer, so it
 * fails rather than being skipped (skipping would read as "no resources there"). Problems are returned as
 * failures, never thrown, so the other accounts still run.
 */
export async function resolveTargets(
  aws: AwsGateway,
  accountIds: readonly string[],
  regions: readonly string[]
): Promise<{ targets: AwsTarget[]; failures: TargetFailure[]; skipped: string[] }> {
  const targets: AwsTarget[] = []
  const failures: TargetFailure[] = []
  const skipped: string[] = []
  const accounts = await Promise.allSettled([...new Set(accountIds)].map((id) => aws.account(id)))
  accounts.forEach((settled, index) => {
    const accountId = [...new Set(accountIds)][index]!
    if (settled.status === 'rejected') {
      failures.push({ accountId, region: '*', ...summariseAwsError(settled.reason) })
      return
    }
    const account = settled.value
    const enabled = new Set(account.regions)
    const wanted = regions.length > 0 ? [...new Set(regions)] : account.regions
    for (const region of wanted) {
      if (enabled.size > 0 && !enabled.has(region)) {
        if (account.kind === 'snapshot')
          failures.push({
            accountId,
            region,
            code: 'RegionNotRecorded',
            message: `snapshot has no recording for ${region} (it has ${account.regions.join(', ')})`,
          })
        else skipped.push(`${account.id}/${region}`)
      } else targets.push({ account, region })
    }
    if (wanted.length === 0)
      failures.push({ accountId, region: '*', code: 'NoRegions', message: 'no region selected or enabled' })
  })
  return { targets, failures, skipped }
}

/** One line per failure, for `ctx.partial` and logs: `acct/eu-west-1: AccessDenied (...)`. */
export function describeFailures(failures: readonly TargetFailure[]): string {
  return failures.map((f) => `${f.accountId}/${f.region}: ${f.code} (${f.message})`).join('; ')
}
