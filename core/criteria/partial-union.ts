/**
 * Permissions that each admit only part of a target but together admit all of it: two groups
 * opening port 22 to `0.0.0.0/1` and `128.0.0.0/1` open it to the whole internet. Only parts for
 * the same traffic (protocol and port range) add up.
 *
 * The question comes up for almost every resource (for a `0.0.0.0/0` target every narrower range
 * is a part), and the answer is almost always no, so it is asked in two steps: a cheap test with
 * no allocation that rules a union out, then the exact sweep only when it might hold.
 */
import { type IpRange, PUBLIC_IPV4, PUBLIC_IPV6, rangesCover, rangesOverlap } from './cidr.ts'
import type { RuleMatch } from './evidence.ts'

/** One group's parts for one kind of traffic. */
export interface PartialTraffic {
  /** Protocol and port range, e.g. `tcp|22|22`. */
  key: string
  /** The key as a small number, to add up traffic across groups without comparing strings. */
  keyId: number
  /** Distinct ranges (parseCidr hands out one object per CIDR text, so identity is enough). */
  ranges: IpRange[]
  /** The permissions the ranges come from, made into evidence only if they turn out to match. */
  matches: (() => RuleMatch)[]
  /** Per target: the total size of the ranges inside it. */
  sizes: number[]
  /**
   * Per target t, bits 2t and 2t+1: a range in its lower / upper half. A CIDR block smaller than
   * the target lies in one half, so blocks that cover the target together reach both halves.
   */
  halves: number
  /** The largest fraction of a target the ranges cover (set by `seal`). */
  share: number
}

/** The size of the target's whole family (its space when the target is 0.0.0.0/0 or ::/0). */
function fullSize(target: IpRange): number {
  return target.v6 ? PUBLIC_IPV6.size : PUBLIC_IPV4.size
}

function findKey(list: readonly PartialTraffic[], key: string): PartialTraffic | undefined {
  for (const traffic of list) if (traffic.key === key) return traffic
  return undefined
}

function find(list: readonly PartialTraffic[], keyId: number): PartialTraffic | undefined {
  for (const traffic of list) if (traffic.keyId === keyId) return traffic
  return undefined
}

export function createPartialUnion(targets: readonly IpRange[]) {
  const middles = targets.map((target) => target.start + (target.end - target.start + 1n) / 2n)
  const keyIds = new Map<string, number>()

  return {
    /** Add a permission's parts to a group's list of partial traffic. */
    add(list: PartialTraffic[], key: string, ranges: IpRange[], match: () => RuleMatch): void {
      let traffic = findKey(list, key)
      if (!traffic) {
        let keyId = keyIds.get(key)
        if (keyId === undefined) {
          keyId = keyIds.size
          keyIds.set(key, keyId)
        }
        traffic = { key, keyId, ranges: [], matches: [], sizes: targets.map(() => 0), halves: 0, share: 0 }
        list.push(traffic)
      }
      traffic.matches.push(match)
      for (const range of ranges) {
        if (traffic.ranges.includes(range)) continue
        traffic.ranges.push(range)
        for (let t = 0; t < targets.length; t++) {
          const target = targets[t]!
          if (range.v6 !== target.v6 || !rangesOverlap(range, target)) continue
          traffic.sizes[t]! += range.size
          const upper = target.size === fullSize(target) ? range.upper : range.start >= middles[t]!
          traffic.halves |= 1 << (2 * t + (upper ? 1 : 0))
        }
      }
    },

    /** Order a group's parts largest first, once, so `possible` can stop early. */
    seal(list: PartialTraffic[]): void {
      for (const traffic of list)
        for (let t = 0; t < targets.length; t++)
          traffic.share = Math.max(traffic.share, traffic.sizes[t]! / targets[t]!.size)
      list.sort((a, b) => b.share - a.share)
    },

    /**
     * Whether some traffic's parts, over the groups, could cover a target. If parts from n groups
     * add up to a target, one group holds at least 1/n of it for that traffic, so only such
     * traffic is looked at; its parts over all groups must reach both halves of the target and
     * add up to its size. The same range in two groups counts twice here, so this only rules
     * out; `matches` decides.
     */
    possible(groups: readonly PartialTraffic[][]): boolean {
      const n = groups.length
      for (const list of groups) {
        for (const candidate of list) {
          if (candidate.share * n < 1) break
          for (let t = 0; t < targets.length; t++) {
            let size = 0
            let halves = 0
            for (const other of groups) {
              const traffic = other === list ? candidate : find(other, candidate.keyId)
              if (!traffic) continue
              size += traffic.sizes[t]!
              halves |= (traffic.halves >> (2 * t)) & 3
            }
            if (halves === 3 && size >= targets[t]!.size) return true
          }
        }
      }
      return false
    },

    /** The permissions whose parts, with others of the same traffic, cover a target; undefined when none do. */
    matches(groups: readonly PartialTraffic[][]): RuleMatch[] | undefined {
      let matches: RuleMatch[] | undefined
      const keys = new Set(groups.flatMap((list) => list.map((traffic) => traffic.key)))
      for (const key of keys) {
        const same = groups.flatMap((list) => list.filter((traffic) => traffic.key === key))
        const ranges = [...new Set(same.flatMap((traffic) => traffic.ranges))]
        if (ranges.length > 1 && targets.some((target) => rangesCover(ranges, target)))
          matches = (matches ?? []).concat(same.flatMap((traffic) => traffic.matches.map((make) => make())))
      }
      return matches
    },
  }
}
