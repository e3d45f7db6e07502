import { listOf } from '../../api/client.ts'
import { humanize } from '../../nodes/summary.ts'
import type { PickerOption } from '../option-picker.ts'
import type { WidgetContext } from '../widget-context.ts'

/**
 * Where pickers get their choices. Accounts come from `GET /api/accounts` (each with the regions it
 * enables); the AWS catalogue (services, methods, addons) from `GET /api/aws/catalogue` when the
 * server offers it, otherwise from the plugin's own JSON Schema (enums).
 */

interface AccountRecord {
  id: string
  name?: string
  accountId?: string
  regions?: string[]
}

const accountCache = new WeakMap<object, Promise<AccountRecord[]>>()

function accounts(ctx: WidgetContext): Promise<AccountRecord[]> {
  const client = ctx.client
  if (!client) return Promise.resolve([])
  let pending = accountCache.get(client)
  if (!pending) {
    pending = client.getJson<unknown>('/api/accounts').then((data) => listOf<AccountRecord>(data, 'accounts'))
    pending.catch(() => accountCache.delete(client))
    accountCache.set(client, pending)
  }
  return pending
}

export function accountOptions(ctx: WidgetContext): () => Promise<PickerOption[]> {
  return async () =>
    (await accounts(ctx)).map((a) => ({
      value: a.id,
      label: a.name ? `${a.name}` : a.id,
      hint: a.accountId ?? (a.name ? a.id : undefined),
    }))
}

/** Regions the chosen accounts enable (or every account's, when none is chosen). */
export function regionOptions(ctx: WidgetContext, chosenAccounts: string[]): () => Promise<PickerOption[]> {
  return async () => {
    const list = await accounts(ctx)
    const relevant = chosenAccounts.length ? list.filter((a) => chosenAccounts.includes(a.id)) : list
    const regions = new Set(relevant.flatMap((a) => a.regions ?? []))
    if (!regions.size) for (const r of COMMON_REGIONS) regions.add(r)
    return [...regions].sort().map((r) => ({ value: r, label: r }))
  }
}

/** The AWS regions offered when no account lists its own. */
const COMMON_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'eu-south-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'me-south-1',
  'af-south-1',
]

export interface CatalogueMethod {
  id: string
  service: string
  serviceLabel?: string
  label?: string
  operation?: string
  addons?: { key: string; label: string }[]
}

const catalogueCache = new WeakMap<object, Promise<CatalogueMethod[]>>()

/** Resource methods and actions as the server describes them; empty if it does not. */
export function catalogue(ctx: WidgetContext, kind: 'resources' | 'actions'): Promise<CatalogueMethod[]> {
  const client = ctx.client
  if (!client) return Promise.resolve([])
  let pending = catalogueCache.get(client)
  if (!pending) {
    pending = client
      .getJson<Record<string, unknown>>('/api/aws/catalogue')
      .then((data) => [
        ...listOf<CatalogueMethod>(data?.resources ?? data, 'resources').map((m) => ({
          ...m,
          kind: 'resources',
        })),
        ...listOf<CatalogueMethod>(data?.actions, 'actions').map((m) => ({ ...m, kind: 'actions' })),
      ])
      .catch(() => [])
    catalogueCache.set(client, pending)
  }
  return pending.then((list) => list.filter((m) => ((m as { kind?: string }).kind ?? 'resources') === kind))
}

export function serviceOptions(
  ctx: WidgetContext,
  schemaEnum: unknown[] | undefined,
  kind: 'resources' | 'actions'
): () => Promise<PickerOption[]> {
  return async () => {
    const methods = await catalogue(ctx, kind)
    const fromCatalogue = new Map(methods.map((m) => [m.service, m.serviceLabel ?? m.service.toUpperCase()]))
    const values = schemaEnum?.map(String) ?? [...fromCatalogue.keys()]
    return values.map((v) => ({ value: v, label: fromCatalogue.get(v) ?? serviceLabel(v) }))
  }
}

export function methodOptions(
  ctx: WidgetContext,
  service: string,
  kind: 'resources' | 'actions',
  current: string
): () => Promise<PickerOption[]> {
  return async () => {
    const methods = (await catalogue(ctx, kind)).filter((m) => m.service === service)
    const options = methods.map((m) => {
      const name = m.id.includes('.') ? m.id.split('.').slice(1).join('.') : (m.operation ?? m.id)
      return { value: kind === 'actions' ? (m.operation ?? name) : name, label: m.label ?? humanize(name) }
    })
    if (current && !options.some((o) => o.value === current))
      options.unshift({ value: current, label: humanize(current) })
    return options
  }
}

export function addonOptions(
  ctx: WidgetContext,
  service: string,
  method: string,
  current: string[]
): () => Promise<PickerOption[]> {
  return async () => {
    const found = (await catalogue(ctx, 'resources')).find((m) => m.id === `${service}.${method}`)
    const options = (found?.addons ?? []).map((a) => ({ value: a.key, label: a.label }))
    for (const value of current)
      if (!options.some((o) => o.value === value)) options.push({ value, label: humanize(value) })
    return options
  }
}

function serviceLabel(service: string): string {
  const known: Record<string, string> = {
    rds: 'RDS',
    ec2: 'EC2',
    s3: 'S3',
    iam: 'IAM',
    lambda: 'Lambda',
    elb: 'ELB',
  }
  return known[service] ?? humanize(service)
}
