/**
 * One security-group permission (an element of `IpPermissions` / `IpPermissionsEgress`) read
 * into the facts criteria need. AWS writes the same thing several ways over the years: protocol
 * names or numbers ("tcp" / "6"), `-1` for all traffic without `FromPort`/`ToPort`, ICMP type and
 * code in the port fields, and keys missing on old accounts (`Ipv6Ranges`, `PrefixListIds`).
 */
import type { ProtocolChoice } from './schema.ts'

export type RuleProtocol = 'all' | 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'other' | 'unknown'

export function ruleProtocol(permission: Record<string, unknown>): RuleProtocol {
  const raw = permission.IpProtocol
  if (raw === undefined || raw === null) return 'unknown'
  // A switch on the text as AWS writes it: read for every rule of every group, and far cheaper
  // than a lookup in an object whose keys mix names and array-index-like numbers.
  const named = protocolNamed(typeof raw === 'string' ? raw : String(raw))
  return named !== 'other' || typeof raw !== 'string' ? named : protocolNamed(raw.toLowerCase())
}

function protocolNamed(text: string): RuleProtocol {
  switch (text) {
    case '-1':
    case 'all':
      return 'all'
    case 'tcp':
    case '6':
      return 'tcp'
    case 'udp':
    case '17':
      return 'udp'
    case 'icmp':
    case '1':
      return 'icmp'
    case 'icmpv6':
    case '58':
      return 'icmpv6'
    default:
      return 'other'
  }
}

/** Whether a rule of this protocol admits the traffic the condition's protocol choice names. */
export function protocolAdmits(rule: RuleProtocol, choice: ProtocolChoice): boolean {
  if (choice === 'any') return rule !== 'unknown'
  if (choice === 'all') return rule === 'all'
  return rule === 'all' || rule === choice
}

export const ALL_PORTS_FROM = 0
export const ALL_PORTS_TO = 65_535

/**
 * The port range a rule opens, or undefined when its protocol has no ports (ICMP type/code live
 * in the port fields but are not ports; other IP protocols have none). All-traffic rules open
 * every port; a TCP/UDP rule without `FromPort`/`ToPort` (or with -1) is read as every port.
 */
export function rulePorts(
  protocol: RuleProtocol,
  permission: Record<string, unknown>
): { from: number; to: number } | undefined {
  if (protocol === 'all') return ALL_PORTS
  if (protocol !== 'tcp' && protocol !== 'udp') return undefined
  const from = permission.FromPort
  const to = permission.ToPort
  if (typeof from !== 'number' || typeof to !== 'number' || from < 0 || to < 0) return ALL_PORTS
  return { from, to }
}
const ALL_PORTS = Object.freeze({ from: ALL_PORTS_FROM, to: ALL_PORTS_TO })

/** Objects of an optional array-valued key (old responses lack `Ipv6Ranges`, `PrefixListIds`). */
export function entries(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? (value as Record<string, unknown>[]) : EMPTY
}
const EMPTY: Record<string, unknown>[] = []
