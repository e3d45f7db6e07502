/**
 * Permissions that each admit only part of a target but together admit all of it: two groups
 * opening port 22 to `0.0.0.0/1` and `128.0.0.0/1` open it to the whole internet. Traffic is
 * what adds up: a protocol and port is reachable from the target when the sources of every
 * permission that carries that protocol and port cover the target together, so tcp 1-2 from
 * `0.0.0.0/1` and all traffic (`-1`) from `128.0.0.0/1` open tcp port 1 to everyone.
 *
 * The question comes up for almost every resource (for a `0.0.0.0/0` target every narrower range
 * is a part) and the answer is almost always no, so it is asked in steps, cheapest first:
 * 1. per group, while its rules are read: the total size of its parts in each half of the target
 *    (a CIDR block smaller than the target lies in one half, and both halves must be covered);
 * 2. per resource: do the parts of all its groups reach half the target's size in both halves?
 * 3. only then, the exact question, per protocol and per elementary port interval (the pieces
 *    the rules' port boundaries cut the port space into): which permissions carry it, and do
 *    their ranges cover the target? Step 1's totals count every part, so they bound every
 *    interval's: a resource that fails step 2 fails step 3 everywhere.
 */
import { type IpRange, PUBLIC_IPV4, PUBLIC_IPV6, rangesCover, rangesOverlap } from './cidr.ts'
import type { RuleMatch } from './evidence.ts'

/** A permission that admits part of a target, and the ranges that do. */
export interface PartialPermission {
  group: Record<string, unknown>
  index: number
  permission: Record<string, unknown>
  /**
   * What traffic the permission carries: `all` (every protocol and port); `tcp` or `udp` with the
   * ports `from`-`to`; `icmp` or `icmpv6` with the type in `from` and the code in `to` (-1: every
   * type, every code); or for other protocols a key naming it exactly, which adds up with parts of
   * the same key and with `all` ones.
   */
  protocol: string
  from: number
  to: number
  ranges: IpRange[]
}

/**
 * One group's parts, with the step-1 totals. Only permission positions are kept: the parts
 * themselves are read again in the rare case that step 3 runs.
 */
export interface PartialSet {
  group: Record<string, unknown>
  /** Positions of the permissions with parts, in the list that was read. */
  indexes: number[]
  /** Per target: total size of the parts in its lower and upper half (repeats counted). */
  lower: number[]
  upper: number[]
}

/** Whether the target is a whole address family (0.0.0.0/0, ::/0), whose halves the top bit tells. */
export function isWholeFamily(target: IpRange): boolean {
  return target.size === (target.v6 ? PUBLIC_IPV6.size : PUBLIC_IPV4.size)
}

export function createPartialUnion(
  targets: readonly IpRange[],
  toMatch: (part: PartialPermission) => RuleMatch
) {
  const middles = targets.map((target) => target.start + (target.end - target.start + 1n) / 2n)
  const whole = targets.map(isWholeFamily)
  const inUpperHalf = (range: IpRange, t: number) => (whole[t] ? range.upper : range.start >= middles[t]!)

  /** Whether parts, in both halves of some target, add up to at least half of it each. */
  const halvesFilled = (lower: number[], upper: number[]) =>
    targets.some((target, t) => lower[t]! * 2 >= target.size && upper[t]! * 2 >= target.size)

  return {
    createSet(group: Record<string, unknown>): PartialSet {
      return { group, indexes: [], lower: targets.map(() => 0), upper: targets.map(() => 0) }
    },

    /** Step 1: note a range admitting part of the target, from the permission at `index`. */
    addRange(set: PartialSet, index: number, range: IpRange): void {
      if (set.indexes[set.indexes.length - 1] !== index) set.indexes.push(index)
      for (let t = 0; t < targets.length; t++) {
        const target = targets[t]!
        if (range.v6 !== target.v6 || !rangesOverlap(range, target)) continue
        if (inUpperHalf(range, t)) set.upper[t]! += range.size
        else set.lower[t]! += range.size
      }
    },

    /**
     * Step 1 for a range known only by family, size and half (see `plainIpv4Prefix`); only for
     * targets that are whole families, whose halves the top bit tells.
     */
    addPart(set: PartialSet, index: number, v6: boolean, size: number, upper: boolean): void {
      if (set.indexes[set.indexes.length - 1] !== index) set.indexes.push(index)
      for (let t = 0; t < targets.length; t++) {
        if (targets[t]!.v6 !== v6) continue
        if (upper) set.upper[t]! += size
        else set.lower[t]! += size
      }
    },

    /**
     * Step 2: a cheap test over a resource's groups (the first `count` sets) that rules a union
     * out, allocating nothing.
     */
    possible(sets: readonly PartialSet[], count = sets.length): boolean {
      if (count === 1) return halvesFilled(sets[0]!.lower, sets[0]!.upper)
      for (let t = 0; t < targets.length; t++) {
        let lower = 0
        let upper = 0
        for (let s = 0; s < count; s++) {
          lower += sets[s]!.lower[t]!
          upper += sets[s]!.upper[t]!
        }
        if (lower * 2 >= targets[t]!.size && upper * 2 >= targets[t]!.size) return true
      }
      return false
    },

    /**
     * Step 3: the permissions whose parts, with others carrying the same protocol and port, cover a
     * target. `expand` reads a set's permissions again into parts.
     */
    matches(
      sets: readonly PartialSet[],
      expand: (set: PartialSet) => PartialPermission[]
    ): RuleMatch[] | undefined {
      const everything: PartialPermission[] = []
      const byProtocol = new Map<string, PartialPermission[]>()
      for (const set of sets)
        for (const part of expand(set)) {
          if (part.protocol === 'all') {
            everything.push(part)
            continue
          }
          const list = byProtocol.get(part.protocol)
          if (list) list.push(part)
          else byProtocol.set(part.protocol, [part])
        }
      // All-traffic parts alone: when they cover, they are the whole answer.
      if (covers(everything)) return everything.map(toMatch)
      const found = new Set<PartialPermission>()
      for (const [protocol, list] of byProtocol) {
        const carriers = everything.length > 0 ? list.concat(everything) : list
        const pieces =
          protocol === 'tcp' || protocol === 'udp'
            ? portIntervals(carriers)
            : protocol === 'icmp' || protocol === 'icmpv6'
              ? icmpMessages(carriers)
              : [carriers]
        for (const covering of pieces) if (covers(covering)) for (const part of covering) found.add(part)
      }
      return found.size > 0 ? [...found].map(toMatch) : undefined
    },
  }

  /** Whether the ranges of these parts together cover some target. */
  function covers(parts: readonly PartialPermission[]): boolean {
    if (parts.length === 0) return false
    // parseCidr hands out one object per CIDR text, so a Set drops repeats.
    const ranges = [...new Set(parts.flatMap((part) => part.ranges))]
    return ranges.length > 1 && targets.some((target) => rangesCover(ranges, target))
  }
}

/**
 * The parts carrying each elementary port interval: the port space cut at every part's `from` and
 * `to + 1`, so within an interval the same parts carry every port. Intervals no part carries, and
 * repeats of the previous interval's parts, are left out.
 */
function* portIntervals(parts: readonly PartialPermission[]): Generator<PartialPermission[]> {
  const cuts = [...new Set(parts.flatMap((part) => [part.from, part.to + 1]))].sort((a, b) => a - b)
  let previous: PartialPermission[] = []
  for (let i = 0; i < cuts.length - 1; i++) {
    const port = cuts[i]!
    const covering = parts.filter((part) => part.from <= port && port <= part.to)
    if (covering.length === 0 || sameParts(covering, previous)) continue
    previous = covering
    yield covering
  }
}

/**
 * The parts carrying each kind of ICMP message: every type and code some part names, and for
 * each type a code none names, and a type none names. A part carries a message when its type is
 * the message's or -1 (every type), and its code likewise; `all` parts carry every message.
 */
function* icmpMessages(parts: readonly PartialPermission[]): Generator<PartialPermission[]> {
  const messages = new Set<string>(['-1|-1'])
  for (const part of parts)
    if (part.protocol !== 'all') messages.add(`${part.from}|${part.to}`).add(`${part.from}|-1`)
  for (const message of messages) {
    const [type, code] = message.split('|').map(Number) as [number, number]
    yield parts.filter(
      (part) =>
        part.protocol === 'all' ||
        ((part.from === -1 || part.from === type) && (part.to === -1 || part.to === code))
    )
  }
}

function sameParts(a: readonly PartialPermission[], b: readonly PartialPermission[]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i])
}
