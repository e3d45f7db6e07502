import type { Item } from '../../core/plugin/types.ts'

const WORLD_V4 = '0.0.0.0/0'
const WORLD_V6 = '::/0'

interface Permission {
  IpProtocol?: string
  FromPort?: number
  ToPort?: number
  IpRanges?: { CidrIp?: string }[]
  Ipv6Ranges?: { CidrIpv6?: string }[]
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
 * security group itself or a resource with groups attached by the Security Groups addon. An
 * explicit `GroupId` narrows it to that group; explicit `IpPermissions` are sent as given.
 */
export function planWorldOpenIngress(item: Item, params: Record<string, unknown>): Record<string, unknown>[] {
  if (typeof params.GroupId === 'string' && params.IpPermissions !== undefined) return [params]
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
