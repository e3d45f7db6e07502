import { isRecordedDatetime, toEpochMs } from '../../../core/criteria/dates.ts'
import { compilePath } from '../../../core/path.ts'
import {
  type DetailsSpec,
  type ResourceMethod,
  resourceMethods,
} from '../../../plugins/aws-resource/catalogue.ts'
import { getOrSet } from '../../../plugins/shared/maps.ts'
import type { Recording } from './load.ts'

/**
 * Answers one SDK call from a recording, as the service would have: the recorded resources merged
 * across files, narrowed by the request's ids and filters, cut into pages at the requested size with
 * an opaque token. Only describe-style calls are answered; anything that would change the estate is
 * refused (the action node simulates those before they get here).
 */
export type Answer = (operation: string, input: Record<string, unknown>) => Record<string, unknown>

interface ListingShape {
  /** Top-level response key holding the listing, e.g. `DBInstances` or `Reservations`. */
  listKey: string
  /** For nested listings (`Reservations[*].Instances`), the inner key filters apply to. */
  innerKey?: string
  idKey?: string
  lookupFilter?: string
  inputToken: string
  outputToken: string
  pageSizeKey?: string
  defaultPageSize?: number
}

const methodsByCall = new Map<string, ResourceMethod>(
  resourceMethods.map((m) => [`${m.service}.${m.operation}`, m])
)
/** Per-resource detail calls (`ec2.GetManagedPrefixListEntries`), answered per id. */
const detailsByCall = new Map<string, DetailsSpec>(
  resourceMethods.flatMap((m) => (m.details ? [[`${m.service}.${m.details.operation}`, m.details]] : []))
)

/** Paging and request keys the replay consumes itself rather than as filters. */
const IGNORED_INPUTS = new Set(['IncludeShared', 'IncludePublic', 'RestorableByUserIds', 'DryRun'])

/** RDS and EC2 filter names that do not spell their key. */
const FILTER_KEYS: Record<string, string> = {
  'db-instance-id': 'DBInstanceIdentifier',
  'db-cluster-id': 'DBClusterIdentifier',
  'dbi-resource-id': 'DbiResourceId',
  'instance-state-name': 'State.Name',
  'instance-state-code': 'State.Code',
  'owner-id': 'OwnerId',
  'ip-permission.cidr': 'IpPermissions.IpRanges.CidrIp',
  'ip-permission.ipv6-cidr': 'IpPermissions.Ipv6Ranges.CidrIpv6',
  'attachment.instance-id': 'Attachments.InstanceId',
  'snapshot-type': 'SnapshotType',
}

export class ReplayError extends Error {
  readonly $fault = 'client'
  readonly $metadata = { httpStatusCode: 400 }
  constructor(code: string, message: string) {
    super(message)
    this.name = code
  }
}

export function createAnswer(
  recording: Recording,
  region: string,
  service: string,
  identity: { awsAccountId?: string; accountId: string }
): Answer {
  const recorded = recording.responses.get(region)
  const merged = new Map<string, unknown[]>()
  const mergedDetails = new Map<string, Map<string, unknown[]>>()
  return (operation, input) => {
    if (!recorded)
      throw new ReplayError(
        'RegionNotRecorded',
        `snapshot account ${identity.accountId} has no recording for ${region} (it has ${recording.regions.join(', ')})`
      )
    if (service === 'sts' && operation === 'GetCallerIdentity') {
      const account = identity.awsAccountId ?? '000000000000'
      return {
        Account: account,
        Arn: `arn:aws:iam::${account}:user/qflow-snapshot`,
        UserId: 'qflow-snapshot',
      }
    }
    if (!/^(Describe|List|Get)/.test(operation))
      throw new ReplayError(
        'SnapshotReadOnly',
        `${service}:${operation} would change the estate; a snapshot account only replays describe calls`
      )
    const key = `${service}.${operation}`
    const details = detailsByCall.get(key)
    if (details) {
      const byId = getOrSet(mergedDetails, key, () => detailsById(recorded.get(key) ?? [], details, key))
      return answerDetails(byId, details, input, operation)
    }
    // No file for the call is not an empty listing: nothing was recorded, so the answer is unknown.
    // An empty listing is a recorded file whose list is empty (e.g. `{"DBInstances": []}`).
    const files = recorded.get(key)
    // A lookup of named ids (an addon's related resources) is the exception: its ids come back
    // unresolved, which the evidence shows, rather than failing every resource that names them.
    if (!files && !isLookupById(key, input))
      throw new ReplayError(
        'OperationNotRecorded',
        `snapshot account ${identity.accountId} has no ${service}:${operation} recording for ${region}`
      )
    const shape = shapeOf(key, files ?? [])
    if (!shape) return {}
    const listing = getOrSet(merged, key, () => mergeFiles(files ?? [], shape))
    const selected = select(listing, shape, input, operation)
    return page(selected, shape, input)
  }
}

/**
 * Recorded detail calls by the id they were made for. Each file is one response with the
 * request's id beside it (`{"PrefixListId": "pl-...", "Entries": [...]}`); several files for one
 * id are its pages, in file order.
 */
function detailsById(files: unknown[], details: DetailsSpec, key: string): Map<string, unknown[]> {
  const byId = new Map<string, unknown[]>()
  for (const file of files) {
    const body = file as Record<string, unknown>
    const id = body[details.idParam]
    const list = body[details.resultKey]
    if (typeof id !== 'string' || !Array.isArray(list))
      throw new ReplayError(
        'SnapshotInvalid',
        `a recorded ${key} file needs "${details.idParam}" (the id it was asked for) and a "${details.resultKey}" list`
      )
    getOrSet(byId, id, () => []).push(...list)
  }
  return byId
}

/**
 * One page of an id's recorded details. An id with nothing recorded gets the service's not-found
 * error: what it holds is unknown, so the resource that names it stays unresolved.
 */
function answerDetails(
  byId: Map<string, unknown[]>,
  details: DetailsSpec,
  input: Record<string, unknown>,
  operation: string
): Record<string, unknown> {
  const id = input[details.idParam]
  if (typeof id !== 'string')
    throw new ReplayError('MissingParameter', `${operation} needs ${details.idParam}`)
  const listing = byId.get(id)
  if (!listing)
    throw new ReplayError(details.notFoundCode, `${id}: the snapshot has no ${operation} recording for it`)
  return page(
    listing,
    {
      listKey: details.resultKey,
      inputToken: details.paging.input,
      outputToken: details.paging.output,
      ...(details.paging.pageSize ? { pageSizeKey: details.paging.pageSize.key } : {}),
    },
    input
  )
}

/** A call narrowed to named resources (by the method's lookup filter or its id parameter). */
function isLookupById(key: string, input: Record<string, unknown>): boolean {
  const method = methodsByCall.get(key)
  if (!method) return false
  if (input[method.resourceIdKey] !== undefined) return true
  const filters = input.Filters as { Name?: string }[] | undefined
  return Boolean(method.lookup && filters?.some((filter) => filter.Name === method.lookup!.filter))
}

function shapeOf(key: string, files: unknown[]): ListingShape | undefined {
  const method = methodsByCall.get(key)
  if (method) {
    const [outer, inner] = method.resultKey.split('[*].')
    return {
      listKey: outer!,
      ...(inner ? { innerKey: inner } : {}),
      idKey: method.resourceIdKey,
      ...(method.lookup ? { lookupFilter: method.lookup.filter } : {}),
      inputToken: method.paging.input,
      outputToken: method.paging.output,
      ...(method.paging.pageSize ? { pageSizeKey: method.paging.pageSize.key } : {}),
      ...(method.service === 'rds' ? { defaultPageSize: 100 } : {}),
    }
  }
  // A recorded call outside the catalogue: its one array-valued key is the listing.
  const first = files[0] as Record<string, unknown> | undefined
  const listKey = first && Object.keys(first).find((k) => Array.isArray(first[k]) && k !== 'ResponseMetadata')
  if (!listKey) return undefined
  const rds = key.startsWith('rds.')
  return { listKey, inputToken: rds ? 'Marker' : 'NextToken', outputToken: rds ? 'Marker' : 'NextToken' }
}

/** Pages and parts become one listing; parts that describe the same resource twice keep the first. */
function mergeFiles(files: unknown[], shape: ListingShape): unknown[] {
  const out: unknown[] = []
  const seen = new Set<string>()
  for (const file of files) {
    const list = (file as Record<string, unknown>)[shape.listKey]
    if (!Array.isArray(list)) continue
    for (const element of list) {
      const id =
        !shape.innerKey && shape.idKey ? (element as Record<string, unknown>)?.[shape.idKey] : undefined
      if (typeof id === 'string') {
        if (seen.has(id)) continue
        seen.add(id)
      }
      out.push(element)
    }
  }
  return out
}

type Test = (resource: Record<string, unknown>) => boolean

function select(
  listing: unknown[],
  shape: ListingShape,
  input: Record<string, unknown>,
  operation: string
): unknown[] {
  const tests: Test[] = []
  for (const [name, value] of Object.entries(input)) {
    if (
      value === undefined ||
      name === shape.inputToken ||
      name === shape.pageSizeKey ||
      IGNORED_INPUTS.has(name)
    )
      continue
    if (name === 'Filters') {
      for (const filter of value as { Name: string; Values: string[] }[])
        tests.push(filterTest(filter, shape, listing, operation))
      continue
    }
    if (name === 'OwnerIds') {
      const owners = (value as string[]).filter((owner) => owner !== 'self')
      if (owners.length > 0) tests.push((r) => owners.includes(String(r.OwnerId)))
      continue
    }
    tests.push(paramTest(name, value, shape, listing, operation))
  }
  if (tests.length === 0) return listing
  const keep = (resource: unknown) => tests.every((test) => test(resource as Record<string, unknown>))
  if (!shape.innerKey) {
    const found = listing.filter(keep)
    const single = input[shape.idKey ?? '']
    if (typeof single === 'string' && found.length === 0)
      throw new ReplayError(`${shape.idKey!.replace(/Identifier$/, '')}NotFound`, `${single} not found`)
    return found
  }
  const inner = shape.innerKey
  return listing.flatMap((outer) => {
    const record = outer as Record<string, unknown>
    const kept = (record[inner] as unknown[] | undefined)?.filter(keep) ?? []
    return kept.length > 0 ? [{ ...record, [inner]: kept }] : []
  })
}

function sample(listing: unknown[], shape: ListingShape): Record<string, unknown>[] {
  if (!shape.innerKey) return listing as Record<string, unknown>[]
  return listing.flatMap(
    (outer) => ((outer as Record<string, unknown>)[shape.innerKey!] as Record<string, unknown>[]) ?? []
  )
}

/** `DBInstanceIdentifier: "db-1"` matches its own key; `GroupIds: [...]` matches `GroupId`. */
function paramTest(
  name: string,
  value: unknown,
  shape: ListingShape,
  listing: unknown[],
  operation: string
): Test {
  const wanted = (Array.isArray(value) ? value : [value]).map(String)
  const key =
    sample(listing, shape).some((r) => name in r) || name === shape.idKey ? name : name.replace(/s$/, '')
  const known = key === shape.idKey || sample(listing, shape).some((r) => key in r)
  if (!known && listing.length > 0)
    throw new ReplayError(
      'InvalidParameterValue',
      `snapshot replay cannot apply ${operation} parameter ${name}`
    )
  return (resource) => wanted.includes(String(resource[key]))
}

function filterTest(
  filter: { Name: string; Values: string[] },
  shape: ListingShape,
  listing: unknown[],
  operation: string
): Test {
  const { Name: name, Values: values } = filter
  const patterns = values.map(globToRegExp)
  let path: string
  if (name === shape.lookupFilter) path = shape.idKey!
  else if (name.startsWith('tag:')) path = `Tags[Key=${name.slice(4)}].Value`
  else if (name === 'tag-key') path = 'Tags[*].Key'
  else
    path =
      FILTER_KEYS[name] ??
      name
        .split('-')
        .map((part) => part[0]!.toUpperCase() + part.slice(1))
        .join('')
  const compiled = compilePath(path)
  const resources = sample(listing, shape)
  if (!name.startsWith('tag') && resources.length > 0 && !resources.some((r) => compiled.all(r).length > 0))
    throw new ReplayError('InvalidParameterValue', `snapshot replay cannot apply ${operation} filter ${name}`)
  return (resource) => compiled.all(resource).some((v) => patterns.some((p) => p.test(String(v))))
}

function globToRegExp(value: string): RegExp {
  const escaped = value
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${escaped}$`)
}

function page(
  listing: unknown[],
  shape: ListingShape,
  input: Record<string, unknown>
): Record<string, unknown> {
  const token = input[shape.inputToken]
  const start = typeof token === 'string' && token.startsWith('snapshot:') ? Number(token.slice(9)) || 0 : 0
  const requested = shape.pageSizeKey ? input[shape.pageSizeKey] : undefined
  const size =
    typeof requested === 'number' && requested > 0 ? requested : (shape.defaultPageSize ?? listing.length)
  const end = Math.min(listing.length, start + Math.max(1, size))
  const out: Record<string, unknown> = { [shape.listKey]: listing.slice(start, end).map(decode) }
  if (end < listing.length) out[shape.outputToken] = `snapshot:${end}`
  return out
}

/**
 * A fresh copy of a recorded value, as the SDK would have handed it over: callers may mutate it,
 * and the recording format's `{"__class__": "datetime", ...}` becomes the `Date` it stood for.
 */
function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode)
  if (typeof value !== 'object' || value === null) return value
  const record = value as Record<string, unknown>
  if (isRecordedDatetime(record)) {
    // Read as the criteria read it; an envelope that is not a real date is handed over as recorded.
    const ms = toEpochMs(record)
    if (ms !== undefined) return new Date(ms)
  }
  const out: Record<string, unknown> = {}
  for (const key in record) out[key] = decode(record[key])
  return out
}
