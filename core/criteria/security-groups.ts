/**
 * The Security Group condition: does some permission of the resource's groups admit the given
 * source, on the given protocol and ports, in the given direction? Port, protocol and source must
 * hold on the same permission (a world-open rule on port 22 and a private rule on 5432 do not make
 * 5432 world-open). See docs/criteria.md for the user-facing rules.
 *
 * Speed: an account has a few hundred groups shared by thousands of resources, and the AWS
 * Resource node attaches the same group object to each resource that lists it. So what one group
 * says is worked out once per node run (per port, when the port is the resource's own) and
 * remembered by object identity; a resource then costs a lookup per group. Answers that depend on
 * the resource's other data (its prefix lists, followed references) are not remembered.
 * `test` (the filter's path, `verdict` below) remembers lean answers, a truth and the union totals
 * in flat lists, and allocates nothing per resource; `explain` (the control node's) remembers full
 * outcomes with every list the evidence shows, each sorted once per run.
 */
import { type CompiledPath, compilePath } from '../path.ts'
import {
  type IpRange,
  PUBLIC_IPV4,
  PUBLIC_IPV6,
  parseCidr,
  plainIpv4Prefix,
  rangeContains,
  rangesCover,
  rangesOverlap,
} from './cidr.ts'
import type { GroupReference, RuleMatch, SecurityGroupEvidence, UndecidedRule } from './evidence.ts'
import {
  createPartialUnion,
  isWholeFamily,
  type PartialPermission,
  type PartialSet,
} from './partial-union.ts'
import { entries, protocolAdmits, type RuleProtocol, rulePorts, ruleProtocol } from './rules.ts'
import type { SecurityGroupCondition } from './schema.ts'
import { FALSE, not, TRUE, type Truth, truthJson, UNKNOWN } from './truth.ts'
import { toNumber } from './values.ts'

type Json = Record<string, unknown>

export interface CompiledSecurityGroupCondition {
  test(item: Json): Truth
  explain(item: Json): { truth: Truth; evidence: SecurityGroupEvidence }
}

/** What one group says under the condition, for one port. Shared between resources: never mutated after. */
interface GroupOutcome {
  truth: Truth
  matched: RuleMatch[]
  undecided: UndecidedRule[]
  references: GroupReference[]
  /** Permissions admitting part of the target, for the union across permissions and groups. */
  partial: PartialSet
}

/** What a resource lends to the evaluation of its groups. */
interface ResourceData {
  item: Json
  port: number | undefined
  prefixLists: Map<string, string[]> | undefined
  pool: Map<string, Json> | undefined
  /** Set when an answer read the resource's prefix lists or referenced groups (so it is not shared). */
  usedResource: boolean
}

interface Admission {
  truth: Truth
  sources: string[]
  /** Ranges admitting part of the target (containment only). */
  partial?: IpRange[]
  via?: RuleMatch['via']
  reason?: string
}

/** What `evaluate` found for a resource; one object reused for every resource (read at once). */
interface Evaluation {
  truth: Truth
  port: number | undefined
  /** The first `count` entries of `groups` and `outcomes` are this resource's. */
  count: number
  groups: Json[]
  outcomes: GroupOutcome[]
  unresolved: string[]
  union: RuleMatch[] | undefined
}

const NO_SOURCES = Object.freeze([]) as unknown as string[]
const NO: Admission = { truth: FALSE, sources: NO_SOURCES }
const NO_IDS: string[] = []
const NO_PAIRS: Json[] = []
const NOTHING: unknown[] = []
const ALL_PORTS = { from: 0, to: 65_535 }

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
  const wholeRange = condition.portMatch === 'all'
  const source = condition.source
  const targets: IpRange[] =
    source.kind === 'publicIpv4'
      ? [PUBLIC_IPV4]
      : source.kind === 'publicIpv6'
        ? [PUBLIC_IPV6]
        : source.kind === 'public'
          ? [PUBLIC_IPV4, PUBLIC_IPV6]
          : source.kind === 'cidr'
            ? [parseCidr(source.cidr)!]
            : []
  const containment = source.kind !== 'cidr' || source.match === 'all'
  // Public sources: plain IPv4 ranges are read without building ranges (see checkPlainIpv4).
  const wholeFamilies = containment && targets.length > 0 && targets.every(isWholeFamily)
  const ipv4Target = targets.some((target) => !target.v6)
  const union = createPartialUnion(targets, (part) =>
    ruleMatch(
      part.group,
      part.index,
      part.permission,
      part.ranges.map((range) => range.cidr)
    )
  )
  /** Outcomes per group object (and per port, -1 for none or unknown). Live as long as the node run. */
  // A Map, not a WeakMap: the groups live as long as the run's items anyway, and a large WeakMap
  // makes every garbage collection slower.
  const remembered = new Map<object, number>()
  /**
   * Remembered outcomes by slot (the number `remembered` gives), and beside them, in flat lists,
   * what the verdict needs of each: its truth and its union totals (per target: lower, upper).
   * The verdict of a resource then reads a few numbers per group, not the outcome objects.
   */
  const slotOutcomes: GroupOutcome[] = []
  const slotTruths: Truth[] = []
  const slotTotals: number[] = []
  /**
   * What `verdict` remembers (above) leaves out what only evidence shows: the group-to-group
   * references, whose lists are not even read unless they decide the source. `explain` keeps full
   * outcomes in a map of its own.
   */
  const rememberedInFull = new Map<object, GroupOutcome>()
  const rememberedByPort = [
    new Map<object, Map<number, GroupOutcome>>(),
    new Map<object, Map<number, GroupOutcome>>(),
  ]
  /** Set while `verdict` reads groups: outcomes without references. */
  let lean = false
  const pairsDecide = source.kind === 'securityGroup' || condition.followReferences
  /** One object reused for every resource: evaluation is synchronous and never re-entered. */
  const data: ResourceData = {
    item: {},
    port: undefined,
    prefixLists: undefined,
    pool: undefined,
    usedResource: false,
  }

  // ------------------------------------------------------------ one permission

  /** Whether a permission's protocol and ports satisfy the condition (its source aside). */
  function trafficTruth(protocol: RuleProtocol, permission: Json, port: number | undefined): Truth {
    if (protocol === 'unknown') return UNKNOWN
    if (!protocolAdmits(protocol, condition.protocol)) return FALSE
    if (condition.ports.mode === 'any') return TRUE
    const opens = rulePorts(protocol, permission)
    if (!opens) return FALSE
    const from = fixedPorts ? fixedPorts.from : port
    const to = fixedPorts ? fixedPorts.to : port
    if (from === undefined || to === undefined)
      return opens.from === ALL_PORTS.from && opens.to === ALL_PORTS.to ? TRUE : UNKNOWN
    const ok = wholeRange ? opens.from <= from && opens.to >= to : opens.from <= to && from <= opens.to
    return ok ? TRUE : FALSE
  }

  // What checkRange found for the permission being read; reset by `addresses` (never re-entered
  // while in use). Partial ranges go to `sink` (the group's union totals) as sizes; they are kept
  // as a list only when `keepParts` is set, so a permission that matches nothing allocates nothing.
  let foundSources: string[] | undefined
  let foundPartial: IpRange[] | undefined
  let partialCount = 0
  // Where partial ranges of the permission being read also go: its group's union totals, at
  // position `sinkIndex`; undefined while nothing should be noted.
  let sinkSet: PartialSet | undefined
  let sinkIndex = -1
  let keepParts = false
  const permissionLower = targets.map(() => 0)
  const permissionUpper = targets.map(() => 0)
  const sizeSet: PartialSet = { group: {}, indexes: [], lower: permissionLower, upper: permissionUpper }
  const sizeSets = [sizeSet]

  /** The address part of a permission: IPv4, IPv6 and prefix-list ranges against the targets. */
  function addresses(permission: Json): Admission {
    foundSources = undefined
    foundPartial = undefined
    partialCount = 0
    permissionLower.fill(0)
    permissionUpper.fill(0)
    const reason = readRanges(permission)
    const sources = foundSources as string[] | undefined
    if (sources) return { truth: TRUE, sources }
    // Several parts of one permission may cover the target: read them as a list only if their
    // sizes could (see partial-union.ts).
    if (partialCount > 1 && union.possible(sizeSets)) {
      const keep = keepParts
      const saved = sinkSet
      keepParts = true
      sinkSet = undefined
      foundPartial = undefined
      readRanges(permission)
      keepParts = keep
      sinkSet = saved
      const partial = foundPartial as IpRange[] | undefined
      if (partial && targets.some((target) => rangesCover(partial, target)))
        return { truth: TRUE, sources: partial.map((range) => range.cidr) }
    }
    const partial = keepParts ? (foundPartial as IpRange[] | undefined) : undefined
    if (reason) return { truth: UNKNOWN, sources: NO_SOURCES, reason, ...(partial ? { partial } : {}) }
    return partial ? { truth: FALSE, sources: NO_SOURCES, partial } : NO
  }

  /**
   * Check every range of a permission; returns why it is unknown, if a range is not a CIDR or a
   * prefix list is missing (a range nobody can read may be the one that admits the source).
   */
  function readRanges(permission: Json): string | undefined {
    let reason: string | undefined
    const v4 = entries(permission.IpRanges)
    for (let i = 0; i < v4.length; i++) reason = checkRange(v4[i]!.CidrIp, undefined) ?? reason
    const v6 = entries(permission.Ipv6Ranges)
    for (let i = 0; i < v6.length; i++) reason = checkRange(v6[i]!.CidrIpv6, undefined) ?? reason
    const lists = entries(permission.PrefixListIds)
    for (let i = 0; i < lists.length; i++) {
      const list = lists[i]!
      const id = String(list.PrefixListId ?? '')
      const cidrs = prefixLists().get(id)
      if (!cidrs) {
        reason ??= `prefix list ${id} is not in the data`
        continue
      }
      for (const cidr of cidrs) reason = checkRange(cidr, `${id}: ${cidr}`) ?? reason
    }
    return reason
  }

  /** Note what one range admits; returns why the rule is unknown when the range is not a CIDR. */
  function checkRange(cidr: unknown, label: string | undefined): string | undefined {
    if (typeof cidr !== 'string') return 'a range of the rule has no CIDR'
    if (wholeFamilies && !keepParts) {
      const plain = plainIpv4Prefix(cidr)
      if (plain >= 0) {
        checkPlainIpv4(plain & 63, plain >= 64, label ?? cidr)
        return undefined
      }
    }
    const range = parseCidr(cidr)
    if (!range) return `${label ?? `"${cidr.slice(0, 64)}"`} is not a CIDR`
    let overlaps = false
    for (let t = 0; t < targets.length; t++) {
      const target = targets[t]!
      if (containment ? rangeContains(range, target) : rangesOverlap(range, target)) {
        foundSources = append(foundSources, label ?? cidr)
        return
      }
      if (!overlaps && containment) overlaps = rangesOverlap(range, target)
    }
    if (!overlaps) return
    partialCount++
    union.addRange(sizeSet, -1, range)
    if (sinkSet) union.addRange(sinkSet, sinkIndex, range)
    if (keepParts) foundPartial = append(foundPartial, range)
  }

  /**
   * `checkRange` for a plain IPv4 CIDR when every target is a whole family: the range holds the
   * IPv4 target exactly when its prefix is 0, and is a part of it otherwise.
   */
  function checkPlainIpv4(prefix: number, upper: boolean, source: string) {
    if (!ipv4Target) return
    if (prefix === 0) {
      foundSources = append(foundSources, source)
      return
    }
    const size = 2 ** (32 - prefix)
    partialCount++
    union.addPart(sizeSet, -1, false, size, upper)
    if (sinkSet) union.addPart(sinkSet, sinkIndex, false, size, upper)
  }

  /** Whether a permission's source admits the condition's source, following references if asked. */
  function admits(permission: Json, group: Json, index: number, outcome: GroupOutcome): Admission {
    const pairs = lean && !pairsDecide ? NO_PAIRS : entries(permission.UserIdGroupPairs)
    for (const pair of pairs) {
      const referencedId = String(pair.GroupId ?? '')
      outcome.references = added(outcome.references, {
        groupId: String(group.GroupId ?? ''),
        rule: index,
        referencedGroupId: referencedId,
        followed: condition.followReferences && referencedId !== group.GroupId && pool().has(referencedId),
      })
    }
    if (source.kind === 'securityGroup')
      return pairs.some((pair) => pair.GroupId === source.groupId)
        ? { truth: TRUE, sources: [source.groupId] }
        : NO
    let result = addresses(permission)
    if (!condition.followReferences || result.truth === TRUE) return result
    // Group-to-group references are never a public source themselves; followed one level they
    // match when the referenced group admits the source on any port.
    for (const pair of pairs) {
      if (pair.GroupId === group.GroupId) continue // a group naming itself adds no new source
      const referenced = pool().get(String(pair.GroupId ?? ''))
      if (!referenced) {
        if (result.truth === FALSE)
          result = {
            ...result,
            truth: UNKNOWN,
            reason: `referenced group ${pair.GroupId} is not in the data`,
          }
        continue
      }
      const via = admitsOnAnyPort(referenced)
      if (via.truth === TRUE)
        return { truth: TRUE, sources: [String(pair.GroupId)], ...(via.via ? { via: via.via } : {}) }
      if (via.truth === UNKNOWN && result.truth === FALSE)
        result = { ...result, truth: UNKNOWN, reason: `referenced group ${pair.GroupId}: ${via.reason}` }
    }
    return result
  }

  /** A referenced group's own permissions in the same direction, any protocol and port. */
  function admitsOnAnyPort(group: Json): { truth: Truth; via?: RuleMatch['via']; reason?: string } {
    // The referenced group's ranges are not this group's parts.
    const saved = sinkSet
    sinkSet = undefined
    try {
      return admitsOnAnyPortUnsunk(group)
    } finally {
      sinkSet = saved
    }
  }

  function admitsOnAnyPortUnsunk(group: Json): { truth: Truth; via?: RuleMatch['via']; reason?: string } {
    let reason: string | undefined
    const permissions = entries(group[read])
    for (let index = 0; index < permissions.length; index++) {
      const admitted = addresses(permissions[index]!)
      if (admitted.truth === TRUE)
        return {
          truth: TRUE,
          via: { groupId: String(group.GroupId ?? ''), rule: index, sources: admitted.sources },
        }
      if (admitted.truth === UNKNOWN) reason ??= admitted.reason
    }
    return reason ? { truth: UNKNOWN, reason } : { truth: FALSE }
  }

  // ------------------------------------------------------------ one group

  function evaluateGroup(group: Json): GroupOutcome {
    const outcome: GroupOutcome = {
      truth: FALSE,
      // Most groups have nothing to list: they share the empty list until they do.
      matched: NONE,
      undecided: NONE,
      references: NONE,
      partial: union.createSet(group),
    }
    const permissions = entries(group[read])
    for (let index = 0; index < permissions.length; index++) {
      const permission = permissions[index]!
      const protocol = ruleProtocol(permission)
      const traffic = trafficTruth(protocol, permission, data.port)
      if (traffic === FALSE) continue
      sinkSet = traffic === TRUE ? outcome.partial : undefined
      sinkIndex = index
      const admitted = admits(permission, group, index, outcome)
      sinkSet = undefined
      if (admitted.truth === TRUE && traffic === TRUE) {
        outcome.truth = TRUE
        const match = ruleMatch(group, index, permission, admitted.sources)
        if (admitted.via) match.via = admitted.via
        outcome.matched = added(outcome.matched, match)
      } else if (admitted.truth === FALSE) {
        // Parts of the target were noted in outcome.partial while the ranges were read.
      } else {
        if (outcome.truth === FALSE) outcome.truth = UNKNOWN
        outcome.undecided = added(outcome.undecided, {
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
    // Sorted once here, so evidence can join groups' lists in group order instead of sorting
    // them again for every resource (see evidenceLists).
    if (outcome.matched.length > 1) outcome.matched.sort(compareMatches)
    if (outcome.undecided.length > 1) outcome.undecided.sort(compareUndecided)
    if (outcome.references.length > 1) outcome.references.sort(compareReferences)
    return outcome
  }

  /** The parts of a group's noted permissions, read again as lists (step 3 of the union only). */
  function partsOf(set: PartialSet): PartialPermission[] {
    const permissions = entries(set.group[read])
    const parts: PartialPermission[] = []
    const keep = keepParts
    keepParts = true
    for (const index of set.indexes) {
      const permission = permissions[index]!
      const protocol = ruleProtocol(permission)
      foundPartial = undefined
      foundSources = undefined
      readRanges(permission)
      const ranges = foundPartial as IpRange[] | undefined
      // A permission with a range that holds the target matches on its own, and is listed so once.
      if (!ranges || foundSources) continue
      parts.push({ group: set.group, index, permission, ...partTraffic(protocol, permission), ranges })
    }
    keepParts = keep
    return parts
  }

  function remember(group: Json, outcome: GroupOutcome): void {
    const slot = slotOutcomes.length
    remembered.set(group, slot)
    slotOutcomes.push(outcome)
    slotTruths.push(outcome.truth)
    for (let t = 0; t < targets.length; t++)
      slotTotals.push(outcome.partial.lower[t]!, outcome.partial.upper[t]!)
  }

  /** A group's outcome; `forVerdict` gives the lean one (no references) `verdict` remembers. */
  function outcomeOf(group: Json, forVerdict: boolean): GroupOutcome {
    // The port matters only when it is the resource's own; then answers are kept per port.
    const byPorts = rememberedByPort[forVerdict ? 0 : 1]!
    const byPort = portPath ? byPorts.get(group) : undefined
    const known = portPath
      ? byPort?.get(data.port ?? -1)
      : forVerdict
        ? slotOutcomes[remembered.get(group) ?? -1]
        : rememberedInFull.get(group)
    if (known) return known
    data.usedResource = false
    lean = forVerdict
    const outcome = evaluateGroup(group)
    lean = false
    if (data.usedResource) return outcome
    if (portPath) {
      if (byPort) byPort.set(data.port ?? -1, outcome)
      else byPorts.set(group, new Map([[data.port ?? -1, outcome]]))
    } else if (forVerdict) remember(group, outcome)
    else rememberedInFull.set(group, outcome)
    return outcome
  }

  // ------------------------------------------------------------ one resource

  function prefixLists(): Map<string, string[]> {
    data.usedResource = true
    if (!data.prefixLists) {
      data.prefixLists = new Map()
      for (const list of prefixListsPath.all(data.item).flat() as Json[]) {
        if (typeof list !== 'object' || list === null || !Array.isArray(list.Entries)) continue
        const cidrs = entries(list.Entries)
          .map((entry) => entry.Cidr)
          .filter((cidr): cidr is string => typeof cidr === 'string')
        data.prefixLists.set(String(list.PrefixListId ?? ''), cidrs)
      }
    }
    return data.prefixLists
  }

  function pool(): Map<string, Json> {
    data.usedResource = true
    if (!data.pool) {
      data.pool = new Map()
      for (const group of [...groupsPath.all(data.item), ...referencedPath.all(data.item)].flat() as Json[]) {
        if (isDescribedGroup(group, read)) data.pool.set(String(group.GroupId), group)
      }
    }
    return data.pool
  }

  // `VpcSecurityGroups.VpcSecurityGroupId` (two plain keys) is read with a loop, not a path walk:
  // it runs for nearly every resource.
  const attachedKeys =
    attachedPath.steps.every((step) => step.kind === 'key') && attachedPath.steps.length === 2
      ? attachedPath.steps.map((step) => (step as { name: string }).name)
      : undefined

  /** Attached group ids no listed entry describes, added to `unresolved`. */
  function undescribedIds(
    item: Json,
    listed: unknown[],
    unresolved: string[] | undefined
  ): string[] | undefined {
    const list = attachedKeys ? item[attachedKeys[0]!] : undefined
    const ids = attachedKeys && Array.isArray(list) ? list : attachedPath.all(item)
    for (const entry of ids) {
      const id = ids === list ? (entry as Json | null)?.[attachedKeys![1]!] : entry
      if (typeof id !== 'string' || unresolved?.includes(id) || listsGroup(listed, id)) continue
      unresolved = append(unresolved, id)
    }
    return unresolved
  }

  /**
   * Ids the AWS Resource node reports it could not describe, under `_qflow.unresolved.<key>`
   * (for EC2 instances this is the only trace: their own `SecurityGroups` list is replaced by
   * the described groups).
   */
  const unresolvedKey =
    groupsPath.steps.length === 1 && groupsPath.steps[0]!.kind === 'key' ? groupsPath.source : undefined
  function reportedUnresolved(item: Json, unresolved: string[] | undefined): string[] | undefined {
    const reported = unresolvedKey
      ? ((item._qflow as Json | undefined)?.unresolved as Json | undefined)?.[unresolvedKey]
      : undefined
    if (!Array.isArray(reported)) return unresolved
    for (const id of reported)
      if (typeof id === 'string' && !unresolved?.includes(id)) unresolved = append(unresolved, id)
    return unresolved
  }

  /** Group sets with parts of the resource `evaluate` is reading; reused, never re-entered. */
  const setScratch: PartialSet[] = []

  const evaluation: Evaluation = {
    truth: FALSE,
    port: undefined,
    count: 0,
    groups: [],
    outcomes: [],
    unresolved: NO_IDS,
    union: undefined,
  }

  /** The condition's truth for one resource, before its `not`, with everything the evidence needs. */
  function evaluate(item: Json): Evaluation {
    data.item = item
    data.port = portPath ? portOf(portPath.get(item)) : undefined
    data.prefixLists = undefined
    data.pool = undefined
    const listed = listedGroups(item, groupsPath)
    const { groups, outcomes } = evaluation
    let count = 0
    let partials = 0
    let unresolved: string[] | undefined
    let truth: Truth = FALSE
    for (let i = 0; i < listed.length; i++) {
      const entry = listed[i]
      if (!isDescribedGroup(entry, read)) {
        if (typeof entry === 'object' && entry !== null && typeof (entry as Json).GroupId === 'string')
          unresolved = append(unresolved, (entry as Json).GroupId as string)
        continue
      }
      const outcome = outcomeOf(entry, false)
      if (outcome.truth === TRUE) truth = TRUE
      else if (outcome.truth === UNKNOWN && truth === FALSE) truth = UNKNOWN
      groups[count] = entry
      outcomes[count++] = outcome
      if (outcome.partial.indexes.length > 0) setScratch[partials++] = outcome.partial
    }
    const joined =
      partials > 0 && union.possible(setScratch, partials)
        ? union.matches(setScratch.slice(0, partials), partsOf)
        : undefined
    if (joined) truth = TRUE
    // Most resources list every attached group: the check that allocates nothing goes first.
    if (listed[0] !== item && hasUndescribedId(item, listed))
      unresolved = undescribedIds(item, listed, unresolved)
    unresolved = reportedUnresolved(item, unresolved)
    if (truth === FALSE && unresolved) truth = UNKNOWN
    evaluation.truth = truth
    evaluation.port = data.port
    evaluation.count = count
    evaluation.unresolved = unresolved ? unresolved.sort(compareText) : NO_IDS
    evaluation.union = joined
    return evaluation
  }

  /**
   * Groups with parts, of the resource being judged by `verdict`: a remembered group's slot, or
   * the outcome itself when it was not remembered. Reused, never re-entered.
   */
  const partialScratch: (number | GroupOutcome)[] = []
  const targetCount = targets.length
  const halves = targets.map((target) => target.size)

  /**
   * The same truth as `evaluate(item, false)`, on the path that runs for every resource of a
   * filter: a known group costs one map lookup and a few reads from flat lists, and a resource
   * allocates nothing unless it has something to report.
   */
  function verdict(item: Json): Truth {
    data.item = item
    data.port = portPath ? portOf(portPath.get(item)) : undefined
    data.prefixLists = undefined
    data.pool = undefined
    const listed = listedGroups(item, groupsPath)
    let truth: Truth = FALSE
    let partials = 0
    let undescribed = false
    // Union totals of the resource's groups (step 2 of partial-union.ts), lower and upper half
    // of the first target, then of the second.
    let lower0 = 0
    let upper0 = 0
    let lower1 = 0
    let upper1 = 0
    for (let i = 0; i < listed.length; i++) {
      const entry = listed[i]
      // Only described groups are ever remembered, so a hit needs no further check.
      const slot = portPath ? undefined : remembered.get(entry as object)
      if (slot !== undefined) {
        const known = slotTruths[slot]!
        if (known === TRUE) return TRUE
        if (known === UNKNOWN) truth = UNKNOWN
        if (targetCount === 0) continue
        // A group has parts exactly when some total is above zero (every part has a size).
        const at = slot * 2 * targetCount
        const lower = slotTotals[at]!
        const upper = slotTotals[at + 1]!
        lower0 += lower
        upper0 += upper
        let parts = lower > 0 || upper > 0
        if (targetCount > 1) {
          lower1 += slotTotals[at + 2]!
          upper1 += slotTotals[at + 3]!
          parts ||= slotTotals[at + 2]! > 0 || slotTotals[at + 3]! > 0
        }
        if (parts) partialScratch[partials++] = slot
        continue
      }
      if (!isDescribedGroup(entry, read)) {
        if (typeof entry === 'object' && entry !== null && typeof (entry as Json).GroupId === 'string')
          undescribed = true
        continue
      }
      const outcome = outcomeOf(entry, true)
      if (outcome.truth === TRUE) return TRUE
      if (outcome.truth === UNKNOWN) truth = UNKNOWN
      const set = outcome.partial
      if (targetCount === 0) continue
      lower0 += set.lower[0]!
      upper0 += set.upper[0]!
      if (targetCount > 1) {
        lower1 += set.lower[1]!
        upper1 += set.upper[1]!
      }
      if (set.indexes.length > 0) partialScratch[partials++] = outcome
    }
    if (
      partials > 0 &&
      ((lower0 * 2 >= halves[0]! && upper0 * 2 >= halves[0]!) ||
        (targetCount > 1 && lower1 * 2 >= halves[1]! && upper1 * 2 >= halves[1]!))
    ) {
      const sets: PartialSet[] = []
      for (let p = 0; p < partials; p++) {
        const held = partialScratch[p]!
        sets.push(typeof held === 'number' ? slotOutcomes[held]!.partial : held.partial)
      }
      if (union.matches(sets, partsOf)) return TRUE
    }
    if (truth !== FALSE || undescribed) return truth === FALSE ? UNKNOWN : truth
    if (listed[0] !== item && hasUndescribedId(item, listed)) return UNKNOWN
    return reportedUnresolved(item, undefined) ? UNKNOWN : FALSE
  }

  /** Whether an attached group id is listed by no entry (see `undescribedIds`), allocating nothing. */
  function hasUndescribedId(item: Json, listed: unknown[]): boolean {
    const list = attachedKeys ? item[attachedKeys[0]!] : undefined
    if (!attachedKeys || !Array.isArray(list)) return undescribedIds(item, listed, undefined) !== undefined
    const idKey = attachedKeys[1]!
    for (let i = 0; i < list.length; i++) {
      const id = (list[i] as Json | null | undefined)?.[idKey]
      if (typeof id !== 'string') continue
      // The AWS Resource node lists the described groups in the order the ids are attached.
      if ((listed[i] as Json | null | undefined)?.GroupId === id) continue
      if (!listsGroup(listed, id)) return true
    }
    return false
  }

  const sourceLabel = describeSource(condition)
  const finish = (truth: Truth) => (condition.not ? not(truth) : truth)

  return {
    test: (item) => finish(verdict(item)),
    explain(item) {
      const { truth, port, count, groups, unresolved, outcomes, union: joined } = evaluate(item)
      const final = finish(truth)
      const listed = evidenceLists(groups, outcomes, count, joined)
      const evidence: SecurityGroupEvidence = {
        type: 'securityGroup',
        direction: condition.direction,
        read,
        protocol: condition.protocol,
        ports:
          condition.ports.mode === 'any'
            ? 'any'
            : (fixedPorts ?? (port === undefined ? null : { from: port, to: port })),
        portMatch: condition.portMatch,
        source: sourceLabel,
        groups: listed.groups,
        unresolvedGroups: unresolved,
        matchedRules: listed.matched,
        undecidedRules: listed.undecided,
        references: listed.references,
        matched: truthJson(final),
      }
      if (condition.label !== undefined) evidence.label = condition.label
      return { truth: final, evidence }
    },
  }
}

function ruleMatch(group: Json, index: number, permission: Json, sources: string[]): RuleMatch {
  const match: RuleMatch = {
    groupId: String(group.GroupId ?? ''),
    rule: index,
    protocol: String(permission.IpProtocol ?? ''),
    // AWS does not promise the order of IpRanges: evidence lists sources in a fixed order.
    sources: [...sources].sort(compareText),
  }
  if (typeof group.GroupName === 'string') match.groupName = group.GroupName
  if (typeof permission.FromPort === 'number') match.fromPort = permission.FromPort
  if (typeof permission.ToPort === 'number') match.toPort = permission.ToPort
  return match
}

/**
 * A group whose rules in the condition's direction are in the data. A group without that list
 * (`IpPermissions` for inbound) is not described for this question, whatever else it holds: its
 * rules are unknown, not absent. An empty list is known: no rules.
 */
/** What traffic a part carries, for the union (see PartialPermission in partial-union.ts). */
function partTraffic(
  protocol: RuleProtocol,
  permission: Json
): Pick<PartialPermission, 'protocol' | 'from' | 'to'> {
  const opens = rulePorts(protocol, permission)
  if (protocol === 'all' || protocol === 'tcp' || protocol === 'udp')
    return { protocol, from: opens!.from, to: opens!.to }
  if (protocol === 'icmp' || protocol === 'icmpv6') {
    // Type and code; -1 or none is every type / every code.
    const value = (field: unknown) => (typeof field === 'number' && field >= 0 ? field : -1)
    return { protocol, from: value(permission.FromPort), to: value(permission.ToPort) }
  }
  // Another IP protocol (GRE, ...) has no ports: named exactly.
  const name = `other:${String(permission.IpProtocol).toLowerCase()}`
  return { protocol: name, from: 0, to: 0 }
}

function isDescribedGroup(value: unknown, read: Direction): value is Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const group = value as Json
  return typeof group.GroupId === 'string' && Array.isArray(group[read])
}

type Direction = 'IpPermissions' | 'IpPermissionsEgress'

/** Whether a resource is itself a security group (EC2 / Security Groups), described or not. */
function isSecurityGroup(item: Json): boolean {
  const id = item.GroupId
  return (
    typeof id === 'string' &&
    (id.startsWith('sg-') || Array.isArray(item.IpPermissions) || Array.isArray(item.IpPermissionsEgress))
  )
}

/**
 * The group entries a resource lists. A resource that is itself a security group (the EC2
 * Security Groups method) is its own only group. Entries with a `GroupId` and no rules (EC2
 * instances list their groups that way) are undescribed, and so are attached ids
 * (`VpcSecurityGroups`) that no entry describes.
 */
function listedGroups(item: Json, groupsPath: CompiledPath): unknown[] {
  const value = groupsPath.get(item)
  if (Array.isArray(value)) return value
  if (value !== undefined) return [value]
  // A security group without its rules in the data is listed as an undescribed group: unknown.
  return isSecurityGroup(item) ? [item] : NOTHING
}

function listsGroup(listed: unknown[], id: string): boolean {
  for (const entry of listed) if ((entry as Json | null)?.GroupId === id) return true
  return false
}

/** Push onto a list made on first use: most resources have nothing to add and should allocate nothing. */
function append<T>(list: T[] | undefined, value: T): T[] {
  if (!list) return [value]
  list.push(value)
  return list
}

/** Push onto an outcome's list, which starts as the shared empty `NONE` (never pushed onto). */
function added<T>(list: T[], value: T): T[] {
  if (list === NONE) return [value]
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

/**
 * The evidence lists of a resource, in their documented order: group ids sorted, and every
 * matched rule, undecided rule and reference sorted by group id first. Each group's lists are
 * sorted already, so when the ids are distinct, joining the lists in id order gives exactly
 * what sorting the joined list would (the sort is stable), without sorting per resource.
 */
function evidenceLists(
  groups: Json[],
  outcomes: GroupOutcome[],
  count: number,
  joined: RuleMatch[] | undefined
): { groups: string[]; matched: RuleMatch[]; undecided: UndecidedRule[]; references: GroupReference[] } {
  // A resource has a handful of groups: an insertion sort (stable, like Array#sort) of ids and
  // outcomes together, with no comparator closure or index lists.
  const sortedIds = new Array<string>(count)
  const ordered = new Array<GroupOutcome>(count)
  for (let i = 0; i < count; i++) {
    const id = String(groups[i]!.GroupId ?? '')
    let j = i
    for (; j > 0 && compareText(sortedIds[j - 1]!, id) > 0; j--) {
      sortedIds[j] = sortedIds[j - 1]!
      ordered[j] = ordered[j - 1]!
    }
    sortedIds[j] = id
    ordered[j] = outcomes[i]!
  }
  let distinct = true
  for (let i = 1; i < count; i++) if (sortedIds[i] === sortedIds[i - 1]) distinct = false
  if (!distinct) {
    const mine = outcomes.slice(0, count)
    return {
      groups: sortedIds,
      matched: gather(mine, 'matched', joined).sort(compareMatches),
      undecided: gather(mine, 'undecided').sort(compareUndecided),
      references: gather(mine, 'references').sort(compareReferences),
    }
  }
  const matched = gather(ordered, 'matched', joined)
  return {
    groups: sortedIds,
    matched: joined && matched.length > 0 ? matched.sort(compareMatches) : matched,
    undecided: gather(ordered, 'undecided'),
    references: gather(ordered, 'references'),
  }
}

/**
 * One list from every group's part of the evidence. Most lists are empty for most resources: they
 * share one frozen empty array instead of each allocating their own.
 */
function gather<K extends 'matched' | 'undecided' | 'references'>(
  outcomes: GroupOutcome[],
  key: K,
  extra?: GroupOutcome[K]
): GroupOutcome[K] {
  let total = extra?.length ?? 0
  for (let o = 0; o < outcomes.length; o++) total += outcomes[o]![key].length
  if (total === 0) return NONE as GroupOutcome[K]
  // Exactly as long as needed: a list grown by push keeps room for more, in every stored result.
  const out: unknown[] = new Array(total)
  let at = 0
  for (let o = 0; o < outcomes.length; o++) {
    const list = outcomes[o]![key]
    for (let i = 0; i < list.length; i++) out[at++] = list[i]
  }
  if (extra) for (let i = 0; i < extra.length; i++) out[at++] = extra[i]
  return out as GroupOutcome[K]
}
const NONE = Object.freeze([]) as unknown as never[]

function compareUndecided(a: UndecidedRule, b: UndecidedRule): number {
  return compareText(a.groupId, b.groupId) || a.rule - b.rule || compareText(a.reason, b.reason)
}

function compareReferences(a: GroupReference, b: GroupReference): number {
  return (
    compareText(a.groupId, b.groupId) ||
    a.rule - b.rule ||
    compareText(a.referencedGroupId, b.referencedGroupId)
  )
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

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
