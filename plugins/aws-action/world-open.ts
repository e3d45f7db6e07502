import type { Item } from '../../core/plugin/types.ts'
import type { MatchedRule } from '../shared/matched-rules.ts'

const WORLD_V4 = '0.0.0.0/0'
const WORLD_V6 = '::/0'

interface Permission {
  IpProtocol?: string
  FromPort?: number
  ToPort?: number
  IpRanges?: { CidrIp?: string }[]
  Ipv6Ranges?: { CidrIpv6?: string }[]
  PrefixListIds?: { PrefixListId?: string }[]
  UserIdGroupPairs?: { GroupId?: string }[]
}

/**
 * The inbound permissions of a group open to the whole internet, narrowed to just the world-open
 * ranges: revoking exactly these closes the exposure and leaves the group's other sources (office
 * CIDRs, other groups, prefix lists) in place.
 */
export function worldOpenPermissions(permissions: unknown): Permission[] {
  if (!Array.isArray(permissions)) return []
  const out: Permission[] = []
  for (const permission of permissions as Permission[]) {
    const v4 = (permission.IpRanges ?? []).filter((range) => range.CidrIp === WORLD_V4)
    const v6 = (permission.Ipv6Ranges ?? []).filter((range) => range.CidrIpv6 === WORLD_V6)
    if (v4.length === 0 && v6.length === 0) continue
    out.push({
      IpProtocol: permission.IpProtocol ?? '-1',
      ...(permission.FromPort !== undefined ? { FromPort: permission.FromPort } : {}),
      ...(permission.ToPort !== undefined ? { ToPort: permission.ToPort } : {}),
      ...(v4.length > 0 ? { IpRanges: v4.map(() => ({ CidrIp: WORLD_V4 })) } : {}),
      ...(v6.length > 0 ? { Ipv6Ranges: v6.map(() => ({ CidrIpv6: WORLD_V6 })) } : {}),
    })
  }
  return out
}

/**
 * One revoke per security group that makes the resource world-open. The resource is either a
 * security group itself or a resource with groups attached by the Security Groups addon. When a
 * TotalCloud Control failed it, the item names the inbound rules that did (`_qflow.matchedRules`)
 * and exactly those are revoked; otherwise every world-open range of the groups is. An explicit
 * `GroupId` narrows it to that group; explicit `IpPermissions` are sent as given.
 */
export function planWorldOpenIngress(item: Item, params: Record<string, unknown>): Record<string, unknown>[] {
  if (typeof params.GroupId === 'string' && params.IpPermissions !== undefined) return [params]
  const matched = matchedRulesOf(item)
  if (matched) return planMatchedIngress(matched, params)
  const groups = (
    typeof item.GroupId === 'string' && 'IpPermissions' in item
      ? [item]
      : Array.isArray(item.SecurityGroups)
        ? item.SecurityGroups
        : []
  ) as Item[]
  const calls: Record<string, unknown>[] = []
  for (const group of groups) {
    if (typeof params.GroupId === 'string' && group.GroupId !== params.GroupId) continue
    const open = worldOpenPermissions(group.IpPermissions)
    if (open.length > 0) calls.push({ ...params, GroupId: group.GroupId, IpPermissions: open })
  }
  return calls
}

/** The inbound rules a control found, or undefined when the item carries none. */
function matchedRulesOf(item: Item): MatchedRule[] | undefined {
  const meta = item._qflow as Record<string, unknown> | undefined
  const rules = meta !== null && typeof meta === 'object' ? meta.matchedRules : undefined
  if (!Array.isArray(rules)) return undefined
  const inbound = (rules as MatchedRule[]).filter(
    (rule) =>
      rule !== null &&
      typeof rule === 'object' &&
      rule.direction === 'inbound' &&
      typeof rule.groupId === 'string'
  )
  return inbound.length > 0 ? inbound : undefined
}

/** One revoke per group, of the matched sources of each matched permission (its protocol and ports). */
function planMatchedIngress(
  rules: MatchedRule[],
  params: Record<string, unknown>
): Record<string, unknown>[] {
  const byGroup = new Map<string, Permission[]>()
  for (const { groupId, direction: _, ...permission } of rules) {
    if (typeof params.GroupId === 'string' && groupId !== params.GroupId) continue
    const list = byGroup.get(groupId)
    if (list) list.push(permission)
    else byGroup.set(groupId, [permission])
  }
  return [...byGroup].map(([GroupId, IpPermissions]) => ({ ...params, GroupId, IpPermissions }))
}
