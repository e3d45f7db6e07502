/**
 * The Security Group condition: does some permission of the resource's groups admit the given
 * source, on the given protocol and ports, in the given direction? Port, protocol and source must
 * hold on the same permission (a world-open rule on port 22 and a private rule on 5432 do not make
 * 5432 world-open). See docs/criteria.md for the user-facing rules.
 */
import { type CompiledPath, compilePath } from '../path.ts'
import {
  type IpRange,
  PUBLIC_IPV4,
  PUBLIC_IPV6,
  parseCidr,
  rangeContains,
  rangesCover,
  rangesOverlap,
} from './cidr.ts'
import type { GroupReference, RuleMatch, SecurityGroupEvidence, UndecidedRule } from './evidence.ts'
import { entries, protocolAdmits, type RuleProtocol, rulePorts, ruleProtocol } from './rules.ts'
import type { SecurityGroupCondition } from './schema.ts'
import { FALSE, not, TRUE, type Truth, truthJson, UNKNOWN } from './truth.ts'
import { toNumber } from './values.ts'

type Json = Record<string, unknown>

export interface CompiledSecurityGroupCondition {
  test(item: Json): Truth
  explain(item: Json): { truth: Truth; evidence: SecurityGroupEvidence }
}

/** What one resource's scan gathers; the `collect` parts only when evidence is asked for. */
interface Scan {
  item: Json
  collect: boolean
  port: number | undefined
  matched: RuleMatch[]
  undecided: UndecidedRule[]
  references: GroupReference[]
  /** Rules that admit part of the target, by protocol and port range, for the union check. */
  partial: Map<string, { ranges: IpRange[]; rules: RuleMatch[] }> | undefined
  prefixLists: Map<string, string[]> | undefined
  pool: Map<string, Json> | undefined
}

export function compileSecurityGroupCondition(
  condition: SecurityGroupCondition
): CompiledSecurityGroupCondition {
  const read = condition.direction === 'inbound' ? 'IpPermissions' : 'IpPermissionsEgress'
  const groupsPath = compilePath(condition.groupsKey)
  const attachedPath = compilePath(condition.attachedGroupIdsKey)
  const referencedPath = compilePath(condition.referencedGroupsKey)
  const prefixListsPath = compilePath(condition.prefixListsKey)
  const portPath: CompiledPath | undefined =
    condition.ports.mode === 'resource' ? compilePath(condition.ports.key) : undefined
  const fixedPorts = condition.ports.mode === 'range' ? condition.ports : undefined
  const source = compileSource(condition)
  const wholeRange = condition.portMatch === 'all'

  /** Whether a permission's protocol and ports satisfy the condition (its source aside). */
  const trafficTruth = (protocol: RuleProtocol, permission: Json, port: number | undefined): Truth => {
    if (protocol === 'unknown') return UNKNOWN
    if (!protocolAdmits(protocol, condition.protocol)) return FALSE
    if (condition.ports.mode === 'any') return TRUE
    const opens = rulePorts(protocol, permission)
    if (!opens) return FALSE
    const want = fixedPorts ?? (port === undefined ? undefined : { from: port, to: port })
    if (!want) return opens.from === 0 && opens.to === 65_535 ? TRUE : UNKNOWN
    const ok = wholeRange
      ? opens.from <= want.from && opens.to >= want.to
      : opens.from <= want.to && want.from <= opens.to
    return ok ? TRUE : FALSE
  }

  const ruleMatch = (group: Json, index: number, permission: Json, sources: string[]): RuleMatch => {
    const match: RuleMatch = {
      groupId: String(group.GroupId ?? ''),
      rule: index,
      protocol: String(permission.IpProtocol ?? ''),
      sources,
    }
    if (typeof group.GroupName === 'string') match.groupName = group.GroupName
    if (typeof permission.FromPort === 'number') match.fromPort = permission.FromPort
    if (typeof permission.ToPort === 'number') match.toPort = permission.ToPort
    return match
  }

  /** The truth of one group for the scan; stops at the first match unless collecting evidence. */
  const scanGroup = (group: Json, scan: Scan): Truth => {
    let result: Truth = FALSE
    const permissions = entries(group[read])
    for (let index = 0; index < permissions.length; index++) {
      const permission = permissions[index]!
      const protocol = ruleProtocol(permission)
      const traffic = trafficTruth(protocol, permission, scan.port)
      if (traffic === FALSE) continue
      const admitted = source.admits(permission, scan, group, index)
      if (admitted.truth === FALSE) {
        if (traffic === TRUE && admitted.partial) {
          const opens = rulePorts(protocol, permission)
          const key = `${protocol}|${opens?.from}|${opens?.to}`
          scan.partial ??= new Map()
          const bucket = scan.partial.get(key) ?? { ranges: [], rules: [] }
          bucket.ranges.push(...admitted.partial)
          bucket.rules.push(
            ruleMatch(
              group,
              index,
              permission,
              admitted.partial.map((range) => range.cidr)
            )
          )
          scan.partial.set(key, bucket)
        }
        continue
      }
      const truth: Truth = traffic === TRUE && admitted.truth === TRUE ? TRUE : UNKNOWN
      if (truth === TRUE) {
        result = TRUE
        if (!scan.collect) return TRUE
        const match = ruleMatch(group, index, permission, admitted.sources)
        if (admitted.via) match.via = admitted.via
        scan.matched.push(match)
      } else {
        if (result === FALSE) result = UNKNOWN
        if (scan.collect)
          scan.undecided.push({
            groupId: String(group.GroupId ?? ''),
            rule: index,
            reason:
              traffic === UNKNOWN
                ? protocol === 'unknown'
                  ? 'the rule has no IpProtocol'
                  : 'the resource port is unknown and the rule opens only some ports'
                : (admitted.reason ?? 'the source is not fully described'),
          })
      }
    }
    return result
  }

  const evaluate = (
    item: Json,
    collect: boolean
  ): { truth: Truth; scan: Scan; groups: Json[]; unresolved: string[] } => {
    const scan: Scan = {
      item,
      collect,
      port: portPath ? portOf(portPath.get(item)) : undefined,
      matched: [],
      undecided: [],
      references: [],
      partial: undefined,
      prefixLists: undefined,
      pool: undefined,
    }
    const { groups, unresolved } = groupsOf(item, groupsPath, attachedPath)
    let truth: Truth = FALSE
    for (const group of groups) {
      const groupTruth = scanGroup(group, scan)
      if (groupTruth === TRUE) {
        truth = TRUE
        if (!collect) break
      } else if (groupTruth === UNKNOWN && truth === FALSE) truth = UNKNOWN
    }
    if (truth !== TRUE && scan.partial && source.coveredByUnion(scan)) truth = TRUE
    if (truth === FALSE && unresolved.length > 0) truth = UNKNOWN
    return { truth, scan, groups, unresolved }
  }

  const sourceLabel = describeSource(condition)
  const finish = (truth: Truth) => (condition.not ? not(truth) : truth)

  return {
    test: (item) => finish(evaluate(item, false).truth),
    explain(item) {
      const { truth, scan, groups, unresolved } = evaluate(item, true)
      const final = finish(truth)
      const evidence: SecurityGroupEvidence = {
        type: 'securityGroup',
        direction: condition.direction,
        read,
        protocol: condition.protocol,
        ports:
          condition.ports.mode === 'any'
            ? 'any'
            : (fixedPorts ?? (scan.port === undefined ? null : { from: scan.port, to: scan.port })),
        portMatch: condition.portMatch,
        source: sourceLabel,
        groups: groups.map((group) => String(group.GroupId ?? '')).sort(),
        unresolvedGroups: unresolved,
        matchedRules: scan.matched.map(sortSources).sort(compareMatches),
        undecidedRules: scan.undecided.sort(
          (a, b) => compareText(a.groupId, b.groupId) || a.rule - b.rule || compareText(a.reason, b.reason)
        ),
        references: scan.references.sort(
          (a, b) =>
            compareText(a.groupId, b.groupId) ||
            a.rule - b.rule ||
            compareText(a.referencedGroupId, b.referencedGroupId)
        ),
        matched: truthJson(final),
      }
      if (condition.label !== undefined) evidence.label = condition.label
      return { truth: final, evidence }
    },
  }

  // ------------------------------------------------------------ sources

  interface Admission {
    truth: Truth
    sources: string[]
    /** Ranges that admit part (not all) of the target, for the union check across rules. */
    partial?: IpRange[]
    via?: RuleMatch['via']
    reason?: string
  }

  function compileSource(c: SecurityGroupCondition) {
    const src = c.source
    if (src.kind === 'securityGroup') {
      return {
        admits(permission: Json, scan: Scan, group: Json, index: number): Admission {
          const hits: string[] = []
          for (const pair of entries(permission.UserIdGroupPairs)) {
            if (scan.collect) noteReference(scan, group, index, pair, false)
            if (pair.GroupId === src.groupId) hits.push(src.groupId)
          }
          return hits.length > 0 ? { truth: TRUE, sources: hits } : NO
        },
        coveredByUnion: () => false,
      }
    }
    const targets: IpRange[] =
      src.kind === 'publicIpv4'
        ? [PUBLIC_IPV4]
        : src.kind === 'publicIpv6'
          ? [PUBLIC_IPV6]
          : src.kind === 'public'
            ? [PUBLIC_IPV4, PUBLIC_IPV6]
            : [parseCidr(src.cidr)!]
    const containment = src.kind !== 'cidr' || src.match === 'all'

    /** The address part of a permission: IPv4, IPv6 and prefix-list ranges. */
    const addresses = (permission: Json, scan: Scan): Admission => {
      let sources: string[] | undefined
      let partial: IpRange[] | undefined
      let reason: string | undefined
      const check = (cidr: unknown, label?: string) => {
        if (typeof cidr !== 'string') return
        const range = parseCidr(cidr)
        if (!range) return
        for (const target of targets) {
          if (containment ? rangeContains(range, target) : rangesOverlap(range, target)) {
            sources = append(sources, label ?? cidr)
            return
          }
          if (containment && rangesOverlap(range, target)) partial = append(partial, range)
        }
      }
      for (const range of entries(permission.IpRanges)) check(range.CidrIp)
      for (const range of entries(permission.Ipv6Ranges)) check(range.CidrIpv6)
      for (const list of entries(permission.PrefixListIds)) {
        const id = String(list.PrefixListId ?? '')
        const cidrs = prefixListsOf(scan).get(id)
        if (!cidrs) {
          reason ??= `prefix list ${id} is not in the data`
          continue
        }
        for (const cidr of cidrs) check(cidr, `${id}: ${cidr}`)
      }
      if (sources) return { truth: TRUE, sources }
      if (partial && partial.length > 1 && targets.some((target) => rangesCover(partial!, target)))
        return { truth: TRUE, sources: partial.map((range) => range.cidr) }
      if (reason) return { truth: UNKNOWN, sources: [], reason, ...(partial ? { partial } : {}) }
      return partial ? { truth: FALSE, sources: [], partial } : NO
    }

    return {
      admits(permission: Json, scan: Scan, group: Json, index: number): Admission {
        const direct = addresses(permission, scan)
        const pairs = entries(permission.UserIdGroupPairs)
        if (pairs.length === 0 || (direct.truth === TRUE && !scan.collect)) return direct
        // Group-to-group references are never a public source themselves; followed one level
        // they match when the referenced group admits the source on any port.
        let result = direct
        for (const pair of pairs) {
          const followed = c.followReferences ? poolOf(scan).get(String(pair.GroupId ?? '')) : undefined
          if (scan.collect) noteReference(scan, group, index, pair, followed !== undefined)
          if (!c.followReferences || result.truth === TRUE) continue
          if (!followed) {
            if (result.truth === FALSE)
              result = {
                ...result,
                truth: UNKNOWN,
                reason: `referenced group ${pair.GroupId} is not in the data`,
              }
            continue
          }
          const via = admitsOnAnyPort(followed, scan)
          if (via.truth === TRUE)
            result = { truth: TRUE, sources: [String(pair.GroupId)], ...(via.via ? { via: via.via } : {}) }
          else if (via.truth === UNKNOWN && result.truth === FALSE)
            result = { ...result, truth: UNKNOWN, reason: `referenced group ${pair.GroupId}: ${via.reason}` }
        }
        return result
      },
      coveredByUnion(scan: Scan): boolean {
        if (!containment) return false
        let covered = false
        for (const bucket of scan.partial!.values()) {
          if (bucket.rules.length < 2 || !targets.some((target) => rangesCover(bucket.ranges, target)))
            continue
          covered = true
          if (!scan.collect) return true
          scan.matched.push(...bucket.rules)
        }
        return covered
      },
    }

    /** A referenced group's own permissions in the same direction, any protocol and port. */
    function admitsOnAnyPort(
      group: Json,
      scan: Scan
    ): { truth: Truth; via?: RuleMatch['via']; reason?: string } {
      let truth: Truth = FALSE
      let reason: string | undefined
      const permissions = entries(group[read])
      for (let index = 0; index < permissions.length; index++) {
        const admitted = addresses(permissions[index]!, scan)
        if (admitted.truth === TRUE)
          return {
            truth: TRUE,
            via: { groupId: String(group.GroupId ?? ''), rule: index, sources: admitted.sources },
          }
        if (admitted.truth === UNKNOWN) {
          truth = UNKNOWN
          reason ??= admitted.reason
        }
      }
      return reason ? { truth, reason } : { truth }
    }
  }

  function noteReference(scan: Scan, group: Json, index: number, pair: Json, followed: boolean) {
    scan.references.push({
      groupId: String(group.GroupId ?? ''),
      rule: index,
      referencedGroupId: String(pair.GroupId ?? ''),
      followed,
    })
  }

  function prefixListsOf(scan: Scan): Map<string, string[]> {
    if (!scan.prefixLists) {
      scan.prefixLists = new Map()
      for (const list of prefixListsPath.all(scan.item).flat() as Json[]) {
        if (typeof list !== 'object' || list === null || !Array.isArray(list.Entries)) continue
        const cidrs = entries(list.Entries)
          .map((entry) => entry.Cidr)
          .filter((cidr): cidr is string => typeof cidr === 'string')
        scan.prefixLists.set(String(list.PrefixListId ?? ''), cidrs)
      }
    }
    return scan.prefixLists
  }

  function poolOf(scan: Scan): Map<string, Json> {
    if (!scan.pool) {
      scan.pool = new Map()
      for (const group of [...groupsPath.all(scan.item), ...referencedPath.all(scan.item)].flat() as Json[]) {
        if (isDescribedGroup(group)) scan.pool.set(String(group.GroupId), group)
      }
    }
    return scan.pool
  }
}

const NO = { truth: FALSE, sources: [] as string[] } as const

function isDescribedGroup(value: unknown): value is Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const group = value as Json
  return (
    typeof group.GroupId === 'string' &&
    (Array.isArray(group.IpPermissions) || Array.isArray(group.IpPermissionsEgress))
  )
}

/**
 * The described groups of a resource and the attached ids nothing describes. A resource that is
 * itself a security group (the EC2 Security Groups method) is its own only group. An entry with a
 * `GroupId` and no rules (EC2 instances list their groups that way) counts as undescribed.
 */
function groupsOf(item: Json, groupsPath: CompiledPath, attachedPath: CompiledPath) {
  const listed = groupsPath.all(item).flat()
  if (listed.length === 0 && isDescribedGroup(item)) return { groups: [item], unresolved: NO_IDS }
  const groups: Json[] = []
  let unresolved: string[] | undefined
  for (const entry of listed) {
    if (isDescribedGroup(entry)) groups.push(entry)
    else if (typeof entry === 'object' && entry !== null && typeof (entry as Json).GroupId === 'string')
      unresolved = append(unresolved, (entry as Json).GroupId as string)
  }
  for (const id of attachedPath.all(item)) {
    if (typeof id !== 'string' || unresolved?.includes(id) || groups.some((group) => group.GroupId === id))
      continue
    unresolved = append(unresolved, id)
  }
  return { groups, unresolved: unresolved ? unresolved.sort() : NO_IDS }
}
const NO_IDS: string[] = []

/** Push onto a list made on first use: most rules match nothing and should allocate nothing. */
function append<T>(list: T[] | undefined, value: T): T[] {
  if (!list) return [value]
  list.push(value)
  return list
}

/** A usable port (1-65535) or undefined: absent, 0 (RDS `DbInstancePort` on most engines) or junk. */
function portOf(value: unknown): number | undefined {
  const port = toNumber(value)
  return port !== undefined && Number.isInteger(port) && port >= 1 && port <= 65_535 ? port : undefined
}

function describeSource(condition: SecurityGroupCondition): string {
  const src = condition.source
  switch (src.kind) {
    case 'publicIpv4':
      return 'public IPv4 (0.0.0.0/0)'
    case 'publicIpv6':
      return 'public IPv6 (::/0)'
    case 'public':
      return 'public IPv4 or IPv6 (0.0.0.0/0, ::/0)'
    case 'cidr':
      return src.match === 'all' ? `all of ${src.cidr}` : `any address in ${src.cidr}`
    case 'securityGroup':
      return `members of ${src.groupId}`
  }
}

/** Sources in a fixed order too: AWS does not promise the order of `IpRanges`. */
function sortSources(match: RuleMatch): RuleMatch {
  match.sources.sort(compareText)
  return match
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

function compareMatches(a: RuleMatch, b: RuleMatch): number {
  return (
    compareText(a.groupId, b.groupId) ||
    compareText(a.protocol, b.protocol) ||
    (a.fromPort ?? -2) - (b.fromPort ?? -2) ||
    (a.toPort ?? -2) - (b.toPort ?? -2) ||
    compareText(a.sources.join(','), b.sources.join(',')) ||
    a.rule - b.rule
  )
}
