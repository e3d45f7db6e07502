import type { ConditionEvidence, RuleMatch } from '../../core/criteria/evidence.ts'

/**
 * One inbound permission that decided a control's FAIL, shaped as EC2 takes it in an
 * `IpPermissions` entry (just the sources that matched), with the group it belongs to. The
 * TotalCloud Control node puts these under `_qflow.matchedRules` on its `failed` items; the AWS
 * Action node's RevokeSecurityGroupIngress revokes exactly them.
 */
export interface MatchedRule {
  groupId: string
  direction: 'inbound'
  IpProtocol: string
  FromPort?: number
  ToPort?: number
  IpRanges?: { CidrIp: string }[]
  Ipv6Ranges?: { CidrIpv6: string }[]
  PrefixListIds?: { PrefixListId: string }[]
  UserIdGroupPairs?: { GroupId: string }[]
}

/**
 * The inbound rules that made the criteria come out `wanted` (true for a FAIL on match): the
 * matched rules of every security-group condition that holds and counts toward that outcome.
 * Conditions under a NOT count toward the opposite outcome and are skipped.
 */
export function decidingInboundRules(evidence: ConditionEvidence, wanted: boolean): MatchedRule[] {
  const out: MatchedRule[] = []
  const walk = (node: ConditionEvidence, want: boolean) => {
    if (node.type === 'group') {
      // A group's `matched` is after its NOT; its conditions count toward the un-negated outcome.
      if (node.matched !== want) return
      for (const condition of node.conditions) walk(condition, node.not ? !want : want)
    } else if (node.type === 'securityGroup') {
      if (want && node.matched === true && node.direction === 'inbound')
        for (const match of node.matchedRules) out.push(matchedRule(match))
    }
  }
  walk(evidence, wanted)
  return out
}

/** Evidence sources are CIDRs, `pl-<id>: <cidr>` for a prefix list's entry, or a group id. */
function matchedRule(match: RuleMatch): MatchedRule {
  const v4: { CidrIp: string }[] = []
  const v6: { CidrIpv6: string }[] = []
  const lists = new Set<string>()
  const pairs = new Set<string>()
  for (const source of match.sources) {
    const listEntry = /^(pl-[^:\s]+): /.exec(source)
    if (listEntry) lists.add(listEntry[1]!)
    else if (source.startsWith('sg-')) pairs.add(source)
    else if (source.includes(':')) v6.push({ CidrIpv6: source })
    else v4.push({ CidrIp: source })
  }
  return {
    groupId: match.groupId,
    direction: 'inbound',
    IpProtocol: match.protocol || '-1',
    ...(match.fromPort !== undefined ? { FromPort: match.fromPort } : {}),
    ...(match.toPort !== undefined ? { ToPort: match.toPort } : {}),
    ...(v4.length > 0 ? { IpRanges: v4 } : {}),
    ...(v6.length > 0 ? { Ipv6Ranges: v6 } : {}),
    ...(lists.size > 0 ? { PrefixListIds: [...lists].map((PrefixListId) => ({ PrefixListId })) } : {}),
    ...(pairs.size > 0 ? { UserIdGroupPairs: [...pairs].map((GroupId) => ({ GroupId })) } : {}),
  }
}
