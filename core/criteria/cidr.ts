/**
 * IPv4 and IPv6 address ranges from CIDR notation, and the questions criteria ask of them:
 * does one range hold another, do two overlap, do several together cover a target
 * (`0.0.0.0/1` + `128.0.0.0/1` is the whole IPv4 internet as surely as `0.0.0.0/0`).
 * Addresses are BigInts so both families share one code path.
 */
export interface IpRange {
  v6: boolean
  start: bigint
  end: bigint
  /** How many addresses, as a float: cheap sums that rule out a union before an exact check. */
  size: number
  /** Whether the block lies in the upper half of its family's space (top address bit set). */
  upper: boolean
  /** The CIDR as written. */
  cidr: string
}

const V4_BITS = 32n
const V6_BITS = 128n

export const PUBLIC_IPV4: IpRange = parseCidrOrThrow('0.0.0.0/0')
export const PUBLIC_IPV6: IpRange = parseCidrOrThrow('::/0')

const cache = new Map<string, IpRange | null>()

/**
 * The range of a CIDR (`10.0.0.0/8`, `2001:db8::/32`; a bare address is a /32 or /128), or
 * undefined when the text is not one. Host bits are ignored, as AWS does (`10.1.2.3/8` = 10/8).
 * Results are cached: the same few CIDRs recur across thousands of rules.
 */
export function parseCidr(text: string): IpRange | undefined {
  let range = cache.get(text)
  if (range === undefined) {
    range = parseUncached(text.trim(), text) ?? null
    if (cache.size > 50_000) cache.clear()
    cache.set(text, range)
  }
  return range ?? undefined
}

/**
 * A plain IPv4 CIDR (`10.1.2.0/24`: four decimal octets and a prefix, nothing around them) read
 * without building a range: the prefix length, plus 64 when the block lies in the upper half of
 * the space. -1 for any other text, which `parseCidr` then reads (it agrees on plain ones). Rules
 * are read by the ten thousand, and this spares each a cache lookup and a range object.
 */
export function plainIpv4Prefix(text: string): number {
  const length = text.length
  if (length < 9 || length > 19) return -1 // 0.0.0.0/0 .. 255.255.255.255/032
  let at = 0
  let first = 0
  for (let octet = 0; octet < 5; octet++) {
    let value = 0
    const from = at
    for (; at < length; at++) {
      const code = text.charCodeAt(at)
      if (code < 48 || code > 57) break
      value = value * 10 + code - 48
    }
    const digits = at - from
    if (digits === 0 || digits > 3) return -1
    if (octet === 4) return at === length && value <= 32 ? value + (value > 0 && first >= 128 ? 64 : 0) : -1
    if (value > 255 || text.charCodeAt(at) !== (octet < 3 ? DOT : SLASH)) return -1
    if (octet === 0) first = value
    at++
  }
  return -1
}
const DOT = 46
const SLASH = 47

function parseCidrOrThrow(text: string): IpRange {
  const range = parseUncached(text, text)
  if (!range) throw new Error(`bad CIDR ${text}`)
  return range
}

function parseUncached(text: string, original: string): IpRange | undefined {
  const slash = text.indexOf('/')
  const address = slash < 0 ? text : text.slice(0, slash)
  const v6 = address.includes(':')
  const bits = v6 ? V6_BITS : V4_BITS
  const value = v6 ? parseIpv6(address) : parseIpv4(address)
  if (value === undefined) return undefined
  let prefix = bits
  if (slash >= 0) {
    const prefixText = text.slice(slash + 1)
    if (!/^\d{1,3}$/.test(prefixText)) return undefined
    prefix = BigInt(prefixText)
    if (prefix > bits) return undefined
  }
  const hostBits = bits - prefix
  const hostMask = (1n << hostBits) - 1n
  const start = value & ~hostMask & ((1n << bits) - 1n)
  const upper = start >> (bits - 1n) === 1n
  return { v6, start, end: start | hostMask, size: 2 ** Number(hostBits), upper, cidr: original }
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  let value = 0n
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined
    const octet = Number(part)
    if (octet > 255) return undefined
    value = (value << 8n) | BigInt(octet)
  }
  return value
}

function parseIpv6(text: string): bigint | undefined {
  if (text.length > 45) return undefined
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const groups = (half: string): number[] | undefined => {
    if (half === '') return []
    const out: number[] = []
    const parts = half.split(':')
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!
      if (i === parts.length - 1 && part.includes('.')) {
        // An embedded IPv4 tail (`::ffff:192.0.2.1`) is two groups.
        const v4 = parseIpv4(part)
        if (v4 === undefined) return undefined
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn))
        continue
      }
      if (!/^[0-9a-f]{1,4}$/i.test(part)) return undefined
      out.push(Number.parseInt(part, 16))
    }
    return out
  }
  const head = groups(halves[0]!)
  const tail = halves.length === 2 ? groups(halves[1]!) : []
  if (!head || !tail) return undefined
  const missing = 8 - head.length - tail.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail]
  let value = 0n
  for (const group of all) value = (value << 16n) | BigInt(group)
  return value
}

// Blocks are aligned, so sizes answer most questions before any BigInt comparison: a block holds
// another only if it is at least as large, and a block as large as the family's space holds all.

export function rangeContains(outer: IpRange, inner: IpRange): boolean {
  if (outer.v6 !== inner.v6 || outer.size < inner.size) return false
  if (outer.size === (outer.v6 ? PUBLIC_IPV6.size : PUBLIC_IPV4.size)) return true
  return outer.start <= inner.start && outer.end >= inner.end
}

/** Two CIDR blocks overlap exactly when one holds the other. */
export function rangesOverlap(a: IpRange, b: IpRange): boolean {
  return a.size <= b.size ? rangeContains(b, a) : rangeContains(a, b)
}

/**
 * Whether the ranges could together cover the target: their sizes must add up to its size. Most
 * sets of ranges fail this at the price of a few additions, before any sorting or BigInt work.
 */
export function mightCover(ranges: readonly IpRange[], target: IpRange): boolean {
  let total = 0
  for (const range of ranges) if (range.v6 === target.v6) total += Math.min(range.size, target.size)
  return total >= target.size
}

/** Whether the ranges together cover every address of the target (a sweep over sorted starts). */
export function rangesCover(ranges: readonly IpRange[], target: IpRange): boolean {
  if (!mightCover(ranges, target)) return false
  const relevant = ranges
    .filter((range) => rangesOverlap(range, target))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))
  let next = target.start
  for (const range of relevant) {
    if (range.start > next) return false
    if (range.end >= next) next = range.end + 1n
    if (next > target.end) return true
  }
  return next > target.end
}
