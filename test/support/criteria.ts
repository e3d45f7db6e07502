/** Small builders for criteria tests: parse, compile and run criteria on one item. */
import { compileCriteria } from '../../core/criteria/compile.ts'
import type { ParamEvidence, SecurityGroupEvidence } from '../../core/criteria/evidence.ts'
import { criteriaSchema } from '../../core/criteria/schema.ts'
import { FALSE, TRUE, type Truth, UNKNOWN } from '../../core/criteria/truth.ts'

type Json = Record<string, any>

export const NOW = Date.parse('2026-01-15T12:00:00Z')

export function compile(criteria: Json, now = NOW) {
  return compileCriteria(criteriaSchema.parse(criteria), { now })
}

/** `true`, `false` or `'unknown'`, checking that `test` and `explain` agree. */
export function judge(criteria: Json, item: Json, now = NOW): boolean | 'unknown' {
  const compiled = compile(criteria, now)
  const fast = compiled.test(item)
  const { truth } = compiled.explain(item)
  if (fast !== truth) throw new Error(`test() said ${fast} but explain() said ${truth}`)
  return name(truth)
}

function name(truth: Truth): boolean | 'unknown' {
  return truth === UNKNOWN ? 'unknown' : truth === TRUE ? true : truth === FALSE && false
}

/** One Param condition as the whole criteria. */
export function param(key: string, operator: string, value?: unknown, extra: Json = {}): Json {
  return {
    type: 'group',
    op: 'AND',
    conditions: [{ type: 'param', key, operator, ...(value === undefined ? {} : { value }), ...extra }],
  }
}

export function checkParam(item: Json, key: string, operator: string, value?: unknown, extra: Json = {}) {
  return judge(param(key, operator, value, extra), item)
}

export function paramEvidence(item: Json, key: string, operator: string, value?: unknown): ParamEvidence {
  return compile(param(key, operator, value)).explain(item).evidence.conditions[0] as ParamEvidence
}

/** One Security Group condition as the whole criteria. */
export function sg(condition: Json = {}): Json {
  return { type: 'group', op: 'AND', conditions: [{ type: 'securityGroup', ...condition }] }
}

export function sgEvidence(condition: Json, item: Json): SecurityGroupEvidence {
  return compile(sg(condition)).explain(item).evidence.conditions[0] as SecurityGroupEvidence
}

/** A described security group with the given inbound permissions. */
export function group(id: string, inbound: Json[], outbound: Json[] = []): Json {
  return { GroupId: id, GroupName: `name-${id}`, IpPermissions: inbound, IpPermissionsEgress: outbound }
}

/** A resource (an RDS-like instance) with its groups attached by the addon. */
export function resource(groups: Json[], extra: Json = {}): Json {
  return {
    VpcSecurityGroups: groups.map((g) => ({ VpcSecurityGroupId: g.GroupId, Status: 'active' })),
    SecurityGroups: groups,
    Endpoint: { Port: 5432 },
    ...extra,
  }
}

export const tcp = (from: number, to: number, cidrs: string[], extra: Json = {}): Json => ({
  IpProtocol: 'tcp',
  FromPort: from,
  ToPort: to,
  IpRanges: cidrs.filter((c) => !c.includes(':')).map((CidrIp) => ({ CidrIp })),
  Ipv6Ranges: cidrs.filter((c) => c.includes(':')).map((CidrIpv6) => ({ CidrIpv6 })),
  PrefixListIds: [],
  UserIdGroupPairs: [],
  ...extra,
})
