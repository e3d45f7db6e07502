import type { Item } from '../../core/plugin/types.ts'
import { settleWithLimit } from '../shared/concurrency.ts'
import { refusalOf, summariseAwsError } from '../shared/errors.ts'
import { toPlainJson } from '../shared/json.ts'
import { paginate, type SendingClient } from '../shared/sdk.ts'
import type { ResourceMethod } from './catalogue.ts'

/** Details calls in flight per listing; the gateway's cap per account and region still applies. */
const DETAILS_AT_ONCE = 8

/**
 * Related resources or details the service declined to give (access denied, or an id it no longer
 * knows). Their ids are left unresolved, so a condition that needs them is unknown, never passed.
 */
export interface Gap {
  /** The addon's key, or the details' `attachAs` for the listed resources' own details. */
  key: string
  operation: string
  kind: 'denied' | 'missing'
  code: string
  message: string
  ids: string[]
}

/** Note a declined call, folding it into a gap of the same key, call and code. */
export function addGap(gaps: Gap[], key: string, operation: string, err: unknown, ids: string[]): boolean {
  const kind = refusalOf(err)
  if (!kind) return false
  const { code, message } = summariseAwsError(err)
  const same = gaps.find((g) => g.key === key && g.operation === operation && g.code === code)
  if (same) same.ids.push(...ids)
  else gaps.push({ key, operation, kind, code, message, ids: [...ids] })
  return true
}

/**
 * Attach each resource's details (the method's `details` call, every page), a few resources at a
 * time. A resource whose details the service declines to give is left without them, noted in
 * `gaps` under `key`, and its id returned; any other failure rejects, as a failed listing does.
 */
export async function attachDetails(
  client: SendingClient,
  method: ResourceMethod,
  resources: readonly Item[],
  key: string,
  gaps: Gap[],
  signal?: AbortSignal
): Promise<Set<string>> {
  const declined = new Set<string>()
  const details = method.details
  if (!details || resources.length === 0) return declined
  const settled = await settleWithLimit(resources, DETAILS_AT_ONCE, async (resource) => {
    const id = resource[method.resourceIdKey]
    if (typeof id !== 'string') return
    const collected: unknown[] = []
    for await (const page of paginate(
      client,
      method.service,
      details.operation,
      { [details.idParam]: id },
      details.paging,
      signal
    )) {
      const list = toPlainJson(page)[details.resultKey]
      if (Array.isArray(list)) collected.push(...list)
    }
    resource[details.attachAs] = collected as Item[]
  })
  settled.forEach((result, index) => {
    if (result.status === 'fulfilled') return
    const id = String(resources[index]![method.resourceIdKey])
    if (!addGap(gaps, key, details.operation, result.reason, [id])) throw result.reason
    declined.add(id)
  })
  return declined
}
