import { compilePath } from '../../core/path.ts'
import type { Item } from '../../core/plugin/types.ts'
import type { AwsGateway } from '../shared/aws.ts'
import { toPlainJson } from '../shared/json.ts'
import { paginate } from '../shared/sdk.ts'
import type { AwsTarget } from '../shared/targets.ts'
import { RelatedFetcher } from './addons.ts'
import type { ResourceMethod } from './catalogue.ts'

/** What every resource item carries besides the AWS object: where it came from. */
export interface ResourceOrigin {
  /** qflow's account id (what actions use to reach the account again). */
  accountId: string
  awsAccountId?: string
  region: string
  arn: string
  service: string
  method: string
  resourceId: string
  /** Addon ids no response described, by addon key; present only when some are missing. */
  unresolved?: Record<string, string[]>
}

/** List one method in one account and region, addons attached. Throws when the region fails. */
export async function fetchTarget(
  aws: AwsGateway,
  target: AwsTarget,
  method: ResourceMethod,
  params: Record<string, unknown>,
  addonKeys: readonly string[],
  signal?: AbortSignal
): Promise<Item[]> {
  const { account, region } = target
  const client = await aws.client(account.id, region, method.service)
  const fetchers = await Promise.all(
    (method.addons ?? [])
      .filter((addon) => addonKeys.includes(addon.key))
      .map(async (addon) => {
        const service = addon.method.split('.')[0] as ResourceMethod['service']
        const addonClient =
          service === method.service ? client : await aws.client(account.id, region, service)
        return new RelatedFetcher(addon, addonClient, signal)
      })
  )
  const resultKey = compilePath(`${method.resultKey}[*]`)
  const input = { ...method.defaults, ...params }
  const resources: Item[] = []
  for await (const page of paginate(client, method.service, method.operation, input, method.paging, signal)) {
    for (const resource of resultKey.all(toPlainJson(page)) as Item[]) {
      for (const fetcher of fetchers) fetcher.want(resource)
      resources.push(resource)
    }
  }
  await Promise.all(fetchers.map((fetcher) => fetcher.done()))

  const arnOf = arnBuilder(method, target)
  for (const resource of resources) {
    let unresolved: Record<string, string[]> | undefined
    for (const fetcher of fetchers) {
      const related = fetcher.relatedTo(resource)
      resource[fetcher.spec.key] = related.attached
      if (related.unresolved.length > 0) {
        unresolved ??= {}
        unresolved[fetcher.spec.key] = related.unresolved
      }
    }
    const origin: ResourceOrigin = {
      accountId: account.id,
      ...(account.awsAccountId ? { awsAccountId: account.awsAccountId } : {}),
      region,
      arn: arnOf(resource),
      service: method.service,
      method: method.id,
      resourceId: String(resource[method.resourceIdKey] ?? ''),
      ...(unresolved ? { unresolved } : {}),
    }
    resource._qflow = origin
  }
  return resources
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn'
  if (region.startsWith('us-gov-')) return 'aws-us-gov'
  return 'aws'
}

function arnBuilder(method: ResourceMethod, { account, region }: AwsTarget): (resource: Item) => string {
  const { arn } = method
  if ('key' in arn) return (resource) => String(resource[arn.key] ?? '')
  const partition = partitionOf(region)
  return (resource) =>
    arn.template.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (name === 'partition') return partition
      if (name === 'region') return region
      if (name === 'account') return account.awsAccountId ?? String(resource.OwnerId ?? '')
      return String(resource[name] ?? '')
    })
}
