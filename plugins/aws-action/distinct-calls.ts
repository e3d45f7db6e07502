import { canonicalJson } from '../../core/canonical-json.ts'
import type { PlannedChange } from './plan.ts'

/** One call the node makes, however many resources need it. */
export interface DistinctCall {
  accountId: string
  region: string
  input: Record<string, unknown>
  /** The first resource (in input order) that needs the call: it is made, and reported, in its name. */
  madeFor: string
}

export interface CallIndex {
  calls: DistinctCall[]
  /** `of[plan][call]`: the distinct call a plan's call is; absent for plans with a problem. */
  of: number[][]
}

/**
 * Plans are made per resource, but resources often share what they change: thirty databases behind
 * one world-open security group all plan the same revoke of the same rules. Sending it thirty times
 * succeeds once and fails 29 times with InvalidPermission.NotFound, so every identical call (same
 * account, region and input, key order aside) is made once and its outcome shared by all who need it.
 */
export function distinctCalls(plans: readonly PlannedChange[]): CallIndex {
  const calls: DistinctCall[] = []
  const byKey = new Map<string, number>()
  const of = plans.map((plan) => {
    if (plan.problem || !plan.accountId || !plan.region) return []
    return plan.calls.map((input) => {
      const key = canonicalJson([plan.accountId, plan.region, input])
      let index = byKey.get(key)
      if (index === undefined) {
        index = calls.length
        byKey.set(key, index)
        calls.push({ accountId: plan.accountId!, region: plan.region!, input, madeFor: plan.resourceId })
      }
      return index
    })
  })
  return { calls, of }
}
