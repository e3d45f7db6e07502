import { AppError } from '../errors.ts'
import { type Principal, ROLES } from './roles.ts'

/**
 * Checks for keys limited to some flows (and for runners) on what arrives in a request body rather
 * than in the path, which `requireAccess` cannot see: the id of a flow being created or imported,
 * and the accounts and regions a run, or a saved flow, is pointed at.
 */

/** A flow-limited key may create or import a flow only under an id already in its list. */
export function checkCreatableFlow(
  principal: Principal | undefined,
  body: unknown,
  options: { freshId?: boolean } = {}
): void {
  const limit = principal?.flowIds ?? null
  if (limit === null) return
  if (options.freshId) {
    throw new AppError(
      403,
      'FLOW_FORBIDDEN',
      'newId: a key limited to some flows cannot import under a new id; send the flow with one of its ids',
      { field: 'newId' }
    )
  }
  const id = typeof body === 'object' && body !== null ? (body as { id?: unknown }).id : undefined
  if (typeof id !== 'string' || !limit.includes(id)) {
    const shown = typeof id === 'string' ? `"${id}"` : 'none'
    throw new AppError(
      403,
      'FLOW_FORBIDDEN',
      `id: this key may only create flows with one of its own ids, and the flow's id is ${shown}`,
      { field: 'id', flowId: typeof id === 'string' ? id : null }
    )
  }
}

/**
 * Run-time `accounts` and `regions` redirect a run. An unlimited admin or editor key may send it
 * anywhere (it could rebind the flow anyway); anyone else only narrows the flow's own binding, so a
 * runner key for one flow cannot point that flow at another account.
 */
export function checkRunTargets(
  principal: Principal | undefined,
  bound: { accounts: string[]; regions: string[] },
  targets: { accounts?: string[] | undefined; regions?: string[] | undefined }
): void {
  if (!principal || mayRetarget(principal)) return
  for (const field of ['accounts', 'regions'] as const) {
    const outside = (targets[field] ?? []).filter((value) => !bound[field].includes(value))
    if (outside.length === 0) continue
    throw new AppError(
      403,
      'TARGET_FORBIDDEN',
      `${field}: this key may only narrow the flow's own ${field}; not bound: ${outside.join(', ')}`,
      { field, outside }
    )
  }
}

type Targets = Parameters<typeof checkRunTargets>[2]

function mayRetarget(principal: Principal): boolean {
  return principal.flowIds === null && ROLES.indexOf(principal.role) >= ROLES.indexOf('editor')
}

/** `checkRunTargets` against the stored flow, read only when the request overrides anything. */
export async function checkTargets(
  flows: { require(id: string): Promise<{ flow: { accounts: string[]; regions: string[] } }> },
  flowId: string,
  principal: Principal | undefined,
  targets: Targets
): Promise<void> {
  if (!principal || mayRetarget(principal)) return
  if (targets.accounts === undefined && targets.regions === undefined) return
  checkRunTargets(principal, (await flows.require(flowId)).flow, targets)
}

/** What a flow document points at: its own binding and any node's own `accounts`/`regions`. */
interface TargetedFlow {
  accounts: string[]
  regions: string[]
  nodes: { id: string; config: Record<string, unknown> }[]
}

const TARGET_FIELDS = ['accounts', 'regions'] as const

/** Strings of a node config's `accounts` or `regions` list (any node type: plugins may add such a field). */
function nodeTargets(config: Record<string, unknown>, field: (typeof TARGET_FIELDS)[number]): string[] {
  const value = config[field]
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
}

/**
 * The rule of `checkRunTargets`, applied when a flow is saved: a key that may not send a run to
 * another account may not rebind the flow there either, or it would get by saving what it is
 * refused at run time. It may keep or narrow what the stored flow already targets (its binding
 * and its nodes' own lists); a new flow it creates starts with nothing to keep.
 */
export function checkSavedTargets(
  principal: Principal | undefined,
  flow: TargetedFlow,
  previous: TargetedFlow | undefined
): void {
  if (!principal || mayRetarget(principal)) return
  for (const field of TARGET_FIELDS) {
    const allowed = new Set(
      previous ? [previous[field], ...previous.nodes.map((n) => nodeTargets(n.config, field))].flat() : []
    )
    const places = [
      { path: field, values: flow[field], nodeId: undefined as string | undefined },
      ...flow.nodes.map((node, index) => ({
        path: `nodes.${index}.config.${field}`,
        values: nodeTargets(node.config, field),
        nodeId: node.id,
      })),
    ]
    for (const place of places) {
      const outside = [...new Set(place.values.filter((value) => !allowed.has(value)))]
      if (outside.length === 0) continue
      throw new AppError(
        403,
        'TARGET_FORBIDDEN',
        `${place.path}: this key may only keep or narrow the ${field} the flow already targets; not targeted: ${outside.join(', ')}`,
        { field: place.path, outside, ...(place.nodeId !== undefined ? { nodeId: place.nodeId } : {}) }
      )
    }
  }
}
