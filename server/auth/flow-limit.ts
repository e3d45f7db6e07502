import { AppError } from '../errors.ts'
import { type Principal, ROLES } from './roles.ts'

/**
 * Checks for keys limited to some flows (and for runners) on what arrives in a request body rather
 * than in the path, which `requireAccess` cannot see: the id of a flow being created or imported,
 * and the accounts and regions a run is pointed at.
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
