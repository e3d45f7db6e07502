import type { Item, NodeContext } from '../../core/plugin/types.ts'
import { checkParams } from '../shared/params.ts'
import type { ActionSpec } from './catalogue.ts'
import { type ActionConfig, mergedParams } from './config.ts'
import { planWorldOpenIngress } from './world-open.ts'

/** What the node intends to do to one incoming resource, decided before anything is sent. */
export interface PlannedChange {
  resourceId: string
  /** qflow's id of the account the change goes through (what the gateway takes), e.g. `demo`. */
  accountId?: string
  /** The 12-digit AWS account id, when the item says it (`_qflow.awsAccountId`). */
  awsAccountId?: string
  region?: string
  /** Resolved inputs, one per call (most actions make one). Empty = nothing to change. */
  calls: Record<string, unknown>[]
  /** Why the resource cannot be acted on (bad parameters, no account): it fails, the rest go on. */
  problem?: string
}

/**
 * Where a resource lives: stamped by the AWS Resource node (`_qflow`), or carried by a result item
 * of an earlier action (`qflowAccountId`, `region`) or one made by hand (`accountId`, `region`),
 * or, failing all, the run's single account and region. A result's `accountId` is the AWS account
 * id when it is known, which the gateway does not take, hence `qflowAccountId` first.
 */
function locate(
  item: Item,
  ctx: NodeContext<ActionConfig>
): { accountId?: string; awsAccountId?: string; region?: string } {
  const origin = (item._qflow ?? {}) as { accountId?: unknown; awsAccountId?: unknown; region?: unknown }
  const single = (list: string[]) => (list.length === 1 ? list[0] : undefined)
  const pick = (...values: unknown[]) => values.find((v): v is string => typeof v === 'string' && v !== '')
  const accountId = pick(origin.accountId, item.qflowAccountId, item.accountId, single(ctx.targets.accounts))
  const awsAccountId = pick(origin.awsAccountId)
  const region = pick(origin.region, item.region, single(ctx.targets.regions))
  return {
    ...(accountId ? { accountId } : {}),
    ...(awsAccountId ? { awsAccountId } : {}),
    ...(region ? { region } : {}),
  }
}

export function planChange(item: Item, spec: ActionSpec, ctx: NodeContext<ActionConfig>): PlannedChange {
  const params = ctx.resolve(mergedParams(spec.defaults, ctx.config.params), item) as Record<string, unknown>
  const where = locate(item, ctx)
  const origin = item._qflow as { resourceId?: unknown } | undefined
  const named = params[spec.resourceParam]
  const resourceId = String(
    origin?.resourceId ?? item.resourceId ?? (Array.isArray(named) ? named.join(',') : (named ?? '')) ?? ''
  )
  const change: PlannedChange = { resourceId, ...where, calls: [] }
  if (!where.accountId || !where.region)
    return {
      ...change,
      problem: 'the item says neither its account nor its region (no _qflow, accountId or region)',
    }

  const inputs = spec.plan === 'world-open-ingress' ? planWorldOpenIngress(item, params) : [params]
  for (const input of inputs) {
    // An `obj.` path that found nothing stays unresolved; say which, rather than send a literal.
    const unresolved = Object.entries(input).filter(([, v]) => typeof v === 'string' && /^obj\./.test(v))
    if (unresolved.length > 0)
      return {
        ...change,
        problem: unresolved.map(([k, v]) => `${k}: ${String(v)} is not on the item`).join('; '),
      }
    const missing = spec.required.filter((name) => input[name] === undefined)
    if (missing.length > 0) return { ...change, problem: `${spec.operation} needs ${missing.join(', ')}` }
    const checked = checkParams(spec.params, input, spec.operation)
    if (!checked.ok) return { ...change, problem: checked.message }
    change.calls.push(checked.params)
  }
  return change
}
