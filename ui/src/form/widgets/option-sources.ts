import { actions } from '../../../../plugins/aws-action/catalogue.ts'
import { resourceMethod, resourceMethods } from '../../../../plugins/aws-resource/catalogue.ts'
import { listOf } from '../../api/client.ts'
import { humanize } from '../../nodes/summary.ts'
import type { PickerOption } from '../option-picker.ts'
import type { WidgetContext } from '../widget-context.ts'

/**
 * Where pickers get their choices. Accounts come from `GET /api/accounts` (each with the regions it
 * enables); services, methods, addons and actions from the AWS catalogue the plugins ship.
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

/**
 * The AWS catalogue (services, methods, addons, actions) is plain data in the plugins, written so
 * the editor can load it too: the pickers read it directly, the server validates against the same.
 */
export function serviceOptions(
  schemaEnum: unknown[] | undefined,
  kind: 'resources' | 'actions'
): PickerOption[] {
  const entries: { service: string; serviceLabel: string }[] =
    kind === 'actions' ? [...actions] : [...resourceMethods]
  const labels = new Map(entries.map((m) => [m.service as string, m.serviceLabel]))
  const values = schemaEnum?.map(String) ?? [...labels.keys()]
  return values.map((v) => ({ value: v, label: labels.get(v) ?? serviceLabel(v) }))
}

export function methodOptions(
  service: string,
  kind: 'resources' | 'actions',
  current: string
): PickerOption[] {
  const options =
    kind === 'actions'
      ? actions
          .filter((a) => a.service === service)
          .map((a) => ({ value: a.operation, label: a.label, hint: a.operation }))
      : resourceMethods
          .filter((m) => m.service === service)
          .map((m) => ({ value: m.id.slice(m.service.length + 1), label: m.label, hint: m.operation }))
  if (current && !options.some((o) => o.value === current))
    options.unshift({ value: current, label: humanize(current), hint: 'not in the catalogue' })
  return options
}

export function addonOptions(service: string, method: string, current: string[]): PickerOption[] {
  const addons = resourceMethod(`${service}.${method}`)?.addons ?? []
  // An addon that reads another's resources says so before it is chosen, not only after.
  const labelOf = (key: string) => addons.find((a) => a.key === key)?.label ?? humanize(key)
  const options: PickerOption[] = addons.map((a) => ({
    value: a.key,
    label: a.label,
    ...(a.after ? { hint: `with ${labelOf(a.after)}` } : {}),
  }))
  for (const value of current)
    if (!options.some((o) => o.value === value)) options.push({ value, label: humanize(value) })
  return options
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
