import { compilePath } from '../../core/path.ts'
import type { Item } from '../../core/plugin/types.ts'
import type { AwsGateway } from '../shared/aws.ts'
import { toPlainJson } from '../shared/json.ts'
import { getOrSet } from '../shared/maps.ts'
import { paginate } from '../shared/sdk.ts'
import type { AwsTarget } from '../shared/targets.ts'
import { RelatedFetcher } from './addons.ts'
import type { ResourceMethod } from './catalogue.ts'
import { attachDetails, type Gap } from './details.ts'

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
  /**
   * Addon ids no response described, by addon key (and, for a method with details, the resource's
   * own id under the details' key when they could not be read); present only when some are missing.
   */
  unresolved?: Record<string, string[]>
}

export interface TargetListing {
  resources: Item[]
  /** Lookups and details the service declined; their ids are in the resources' `unresolved`. */
  gaps: Gap[]
}

/**
 * List one method in one account and region, addons attached. Addons that read another addon's
 * resources (`after`) are fetched once that one is attached. Throws when the region fails.
 */
export async function fetchTarget(
  aws: AwsGateway,
  target: AwsTarget,
  method: ResourceMethod,
  params: Record<string, unknown>,
  addonKeys: readonly string[],
  signal?: AbortSignal
): Promise<TargetListing> {
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
  const first = fetchers.filter((fetcher) => !fetcher.spec.after)
  const later = fetchers.filter((fetcher) => fetcher.spec.after)
  const resultKey = compilePath(`${method.resultKey}[*]`)
  const input = { ...method.defaults, ...params }
  const resources: Item[] = []
  for await (const page of paginate(client, method.service, method.operation, input, method.paging, signal)) {
    for (const resource of resultKey.all(toPlainJson(page)) as Item[]) {
      for (const fetcher of first) fetcher.want(resource)
      resources.push(resource)
    }
  }
  const gaps: Gap[] = []
  const [withoutDetails] = await Promise.all([
    method.details
      ? attachDetails(client, method, resources, method.details.attachAs, gaps, signal)
      : new Set<string>(),
    ...first.map((fetcher) => fetcher.done()),
  ])

  const unresolvedOf = new Map<Item, Record<string, string[]>>()
  const unresolvedFor = (resource: Item) =>
    getOrSet(unresolvedOf, resource, (): Record<string, string[]> => ({}))
  const attach = (fetcher: RelatedFetcher) => {
    for (const resource of resources) {
      const related = fetcher.relatedTo(resource)
      resource[fetcher.spec.key] = related.attached
      if (related.unresolved.length > 0) unresolvedFor(resource)[fetcher.spec.key] = related.unresolved
    }
    gaps.push(...fetcher.gaps)
  }
  for (const fetcher of first) attach(fetcher)
  // The second phase reads what the first attached (the rules of the described groups).
  if (later.length > 0) {
    for (const resource of resources) for (const fetcher of later) fetcher.want(resource)
    await Promise.all(later.map((fetcher) => fetcher.done()))
    for (const fetcher of later) attach(fetcher)
  }
  if (withoutDetails.size > 0 && method.details)
    for (const resource of resources) {
      const id = String(resource[method.resourceIdKey])
      if (withoutDetails.has(id)) unresolvedFor(resource)[method.details.attachAs] = [id]
    }

  const arnOf = arnBuilder(method, target)
  for (const resource of resources) {
    const unresolved = unresolvedOf.get(resource)
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
  return { resources, gaps }
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
