/**
 * Which IP addresses are internal: loopback, private, link-local (the cloud metadata address among
 * them), unique-local, unspecified, multicast and the like. A plugin worker refuses to connect to
 * them unless the operator or a literal manifest entry allows it (see connect-guard.mjs).
 *
 * Runs inside the worker next to plugin code, so it captures the built-ins it needs at load time,
 * before any plugin module runs: a plugin that later patches `String.prototype` or `Number.parseInt`
 * cannot change the answer.
 */
import { isIPv4, isIPv6 } from 'node:net'

const { apply } = Reflect
const uncurry =
  (fn) =>
  (self, ...args) =>
    apply(fn, self, args)
const split = uncurry(String.prototype.split)
const indexOf = uncurry(String.prototype.indexOf)
const slice = uncurry(String.prototype.slice)
const lastIndexOf = uncurry(String.prototype.lastIndexOf)
const toLowerCase = uncurry(String.prototype.toLowerCase)
const hex = uncurry(Number.prototype.toString)
const parseInteger = Number.parseInt

/** IPv4 ranges as [network as a 32-bit value, prefix length, what it is]. */
const IPV4_RANGES = [
  [0x00000000, 8, 'unspecified ("this network")'],
  [0x0a000000, 8, 'private (RFC 1918)'],
  [0x64400000, 10, 'shared (carrier-grade NAT)'],
  [0x7f000000, 8, 'loopback'],
  [0xa9fe0000, 16, 'link-local (cloud metadata lives here)'],
  [0xac100000, 12, 'private (RFC 1918)'],
  [0xc0000000, 24, 'IETF protocol assignment'],
  [0xc0a80000, 16, 'private (RFC 1918)'],
  [0xc6120000, 15, 'benchmarking'],
  [0xe0000000, 4, 'multicast'],
  [0xf0000000, 4, 'reserved'],
]

function ipv4Value(text) {
  const parts = split(text, '.')
  let value = 0
  for (let i = 0; i < 4; i++) value = value * 256 + parseInteger(parts[i], 10)
  return value
}

function ipv4Range(value) {
  for (let i = 0; i < IPV4_RANGES.length; i++) {
    const range = IPV4_RANGES[i]
    const size = 2 ** (32 - range[1])
    if (value - (value % size) === range[0]) return range[2]
  }
  return undefined
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
export function ipv6Groups(text) {
  let address = toLowerCase(text)
  const zone = indexOf(address, '%')
  if (zone >= 0) address = slice(address, 0, zone)
  // Arrays are made as literals and only their own slots written: a setter a plugin puts on
  // Array.prototype never sees these values.
  let tail
  const lastColon = lastIndexOf(address, ':')
  if (indexOf(address, '.') > lastColon) {
    tail = ipv4Value(slice(address, lastColon + 1))
    address = `${slice(address, 0, lastColon + 1)}0:0`
  }
  const halves = split(address, '::')
  const head = halves[0] === '' ? [] : split(halves[0], ':')
  const rest = halves.length > 1 && halves[1] !== '' ? split(halves[1], ':') : []
  const groups = [0, 0, 0, 0, 0, 0, 0, 0]
  for (let i = 0; i < head.length; i++) groups[i] = parseInteger(head[i], 16)
  for (let i = 0; i < rest.length; i++) groups[8 - rest.length + i] = parseInteger(rest[i], 16)
  if (tail !== undefined) {
    groups[6] = (tail - (tail % 65536)) / 65536
    groups[7] = tail % 65536
  }
  return groups
}

/** One spelling per IPv6 address, so `[::ffff:127.0.0.1]` and `::ffff:7f00:1` compare equal. */
export function canonicalIp(text) {
  const bare = text[0] === '[' ? slice(text, 1, text.length - 1) : text
  if (isIPv4(bare)) return bare
  if (!isIPv6(bare)) return undefined
  const groups = ipv6Groups(bare)
  let out = ''
  for (let i = 0; i < 8; i++) out += (i > 0 ? ':' : '') + hex(groups[i], 16)
  return out
}

/** The IPv4 address an IPv6 form embeds and routes to: mapped, compatible, NAT64, 6to4. */
function embeddedIpv4(groups) {
  const zeroUpTo = (end) => {
    for (let i = 0; i < end; i++) if (groups[i] !== 0) return false
    return true
  }
  if (zeroUpTo(5) && groups[5] === 0xffff) return groups[6] * 65536 + groups[7] // ::ffff:a.b.c.d
  if (zeroUpTo(6) && (groups[6] !== 0 || groups[7] > 1)) return groups[6] * 65536 + groups[7] // ::a.b.c.d
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b
  if (nat64 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0) {
    return groups[6] * 65536 + groups[7] // 64:ff9b::a.b.c.d
  }
  if (groups[0] === 0x2002) return groups[1] * 65536 + groups[2] // 2002:aabb:ccdd::
  return undefined
}

/**
 * Why `address` is internal ("loopback", "private (RFC 1918)", ...), or undefined for a public
 * address. Anything that is not a valid IP address counts as internal: refusing is the safe answer.
 */
export function internalKind(address) {
  const bare = address[0] === '[' ? slice(address, 1, address.length - 1) : address
  if (isIPv4(bare)) return ipv4Range(ipv4Value(bare))
  if (!isIPv6(bare)) return 'not an IP address'
  const groups = ipv6Groups(bare)
  let allZero = true
  for (let i = 0; i < 7; i++) if (groups[i] !== 0) allZero = false
  if (allZero && groups[7] === 0) return 'unspecified'
  if (allZero && groups[7] === 1) return 'loopback'
  const v4 = embeddedIpv4(groups)
  if (v4 !== undefined) {
    const kind = ipv4Range(v4)
    return kind === undefined ? undefined : `${kind}, as IPv4 inside IPv6`
  }
  const first = groups[0]
  if (first >= 0xfc00 && first <= 0xfdff) return 'unique-local'
  if (first >= 0xfe80 && first <= 0xfebf) return 'link-local'
  if (first >= 0xfec0 && first <= 0xfeff) return 'site-local'
  if (first >= 0xff00) return 'multicast'
  return undefined
}
