import { z } from 'zod'
import { parsePath } from '../path.ts'
import { parseCidr } from './cidr.ts'
import { compileSafeRegex } from './regex.ts'
import { toNumber } from './values.ts'

/**
 * Evaluation criteria: what the TotalCloud Control and Filter nodes ask of each resource.
 * A tree of groups (AND / OR, each optionally negated) whose leaves are Param conditions
 * (key path, operator, value) and Security Group conditions (rule-aware matching over the
 * groups attached to a resource). It is plain JSON, stored in the node's config and edited by
 * the editor's criteria builder; docs/criteria.md describes it for users.
 */

export const PARAM_OPERATORS = [
  'equals',
  'notEquals',
  'greaterThan',
  'greaterThanOrEqual',
  'lessThan',
  'lessThanOrEqual',
  'contains',
  'notContains',
  'in',
  'notIn',
  'exists',
  'notExists',
  'isEmpty',
  'isNotEmpty',
  'startsWith',
  'endsWith',
  'matches',
  'olderThanDays',
  'newerThanDays',
] as const
export type ParamOperator = (typeof PARAM_OPERATORS)[number]

/** Operators whose value may be a list: membership, or equality with a whole list. */
const LIST_OPERATORS: readonly ParamOperator[] = ['in', 'notIn', 'equals', 'notEquals']

/** Operators that take no value. */
export const UNARY_OPERATORS: readonly ParamOperator[] = ['exists', 'notExists', 'isEmpty', 'isNotEmpty']

export const keyPathSchema = z
  .string()
  .min(1, 'a key path is required')
  .max(500)
  .superRefine((path, ctx) => {
    try {
      parsePath(path)
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message })
    }
  })

const negatable = {
  /** Negate this condition or group. NOT of unknown stays unknown. */
  not: z.boolean().default(false),
  /** Free text shown in the builder and the evidence. */
  label: z.string().max(200).optional(),
}

const scalar = z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()])

export const paramCondition = z
  .object({
    type: z.literal('param'),
    key: keyPathSchema,
    operator: z.enum(PARAM_OPERATORS),
    /**
     * What to compare with: text as typed, a number, a boolean, or for `in`/`notIn` a list (or
     * comma-separated text). `olderThanDays`/`newerThanDays` take a number of days.
     */
    value: z.union([scalar, z.array(scalar).max(1_000)]).optional(),
    /** Compare text without regard to case (equals, contains, in, starts/ends with, matches). */
    ignoreCase: z.boolean().default(false),
    ...negatable,
  })
  .superRefine((condition, ctx) => {
    const issue = (message: string) => ctx.addIssue({ code: 'custom', path: ['value'], message })
    const { operator, value } = condition
    if (UNARY_OPERATORS.includes(operator)) return
    if (value === undefined) return issue(`operator "${operator}" needs a value`)
    if (operator === 'olderThanDays' || operator === 'newerThanDays') {
      const days = toNumber(value)
      if (days === undefined || days < 0) issue(`operator "${operator}" needs a number of days (0 or more)`)
      return
    }
    if (operator === 'matches') {
      if (typeof value !== 'string') return issue('operator "matches" needs a regular expression as text')
      try {
        compileSafeRegex(value, { ignoreCase: condition.ignoreCase })
      } catch (err) {
        issue((err as Error).message)
      }
      return
    }
    if (Array.isArray(value) && !LIST_OPERATORS.includes(operator))
      issue(`operator "${operator}" takes one value, not a list`)
  })
export type ParamCondition = z.infer<typeof paramCondition>

const portNumber = z.number().int().min(0).max(65_535)

export const portSelection = z.discriminatedUnion('mode', [
  /** No port condition: a rule matches whatever ports it opens. */
  z.object({ mode: z.literal('any') }),
  /** An explicit range (one port: from = to). */
  z
    .object({ mode: z.literal('range'), from: portNumber, to: portNumber })
    .refine((range) => range.from <= range.to, { message: 'from must not be above to', path: ['to'] }),
  /** The resource's own port, read from a key path (RDS: `Endpoint.Port`). Unknown when absent. */
  z.object({ mode: z.literal('resource'), key: keyPathSchema.default('Endpoint.Port') }),
])
export type PortSelection = z.infer<typeof portSelection>

export const trafficSource = z.discriminatedUnion('kind', [
  /** The whole IPv4 internet, 0.0.0.0/0 (also as a union of ranges). */
  z.object({ kind: z.literal('publicIpv4') }),
  /** The whole IPv6 internet, ::/0. */
  z.object({ kind: z.literal('publicIpv6') }),
  /** Either of the two. */
  z.object({ kind: z.literal('public') }),
  z.object({
    kind: z.literal('cidr'),
    cidr: z
      .string()
      .max(64)
      .refine((text) => parseCidr(text) !== undefined, { message: 'not an IPv4 or IPv6 CIDR' }),
    /**
     * `all`: the rule admits every address of the CIDR (containment; 0.0.0.0/0 here means
     * "open to the world"). `any`: the rule admits at least one address of it (overlap).
     */
    match: z.enum(['all', 'any']).default('all'),
  }),
  /** Traffic from the members of a security group (a group-to-group reference). */
  z.object({ kind: z.literal('securityGroup'), groupId: z.string().min(1).max(128) }),
])
export type TrafficSource = z.infer<typeof trafficSource>

export const PROTOCOLS = ['any', 'tcp', 'udp', 'icmp', 'icmpv6', 'all'] as const
export type ProtocolChoice = (typeof PROTOCOLS)[number]

export const securityGroupCondition = z
  .object({
    type: z.literal('securityGroup'),
    /** inbound reads `IpPermissions`, outbound `IpPermissionsEgress`. */
    direction: z.enum(['inbound', 'outbound']).default('inbound'),
    /**
     * Which rules count by protocol: `any` every rule; `tcp`/`udp`/`icmp`/`icmpv6` rules that admit
     * that protocol (a `-1` rule admits them all); `all` only all-traffic (`-1`) rules.
     */
    protocol: z.enum(PROTOCOLS).default('any'),
    ports: portSelection.default({ mode: 'any' }),
    /** `any`: a rule reaches at least one port of the range. `all`: a rule opens the whole range. */
    portMatch: z.enum(['any', 'all']).default('any'),
    source: trafficSource.default({ kind: 'publicIpv4' }),
    /**
     * Follow group-to-group references one level: a rule whose source is group G matches when G
     * itself admits the source (in the same direction, on any port). Off: references are reported
     * in the evidence only, never a match for an address source.
     */
    followReferences: z.boolean().default(false),
    /** Where the resource's described security groups are (the AWS Resource node's addon). */
    groupsKey: keyPathSchema.default('SecurityGroups'),
    /** Ids of the groups attached to the resource; ids no described group matches make it unknown. */
    attachedGroupIdsKey: keyPathSchema.default('VpcSecurityGroups.VpcSecurityGroupId'),
    /** Further described groups that rules may reference (for followReferences). */
    referencedGroupsKey: keyPathSchema.default('ReferencedSecurityGroups'),
    /** Managed prefix lists with their entries: `[{PrefixListId, Entries: [{Cidr}]}]`. */
    prefixListsKey: keyPathSchema.default('PrefixLists'),
    ...negatable,
  })
  .refine((condition) => !condition.protocol.startsWith('icmp') || condition.ports.mode === 'any', {
    message: 'ICMP has no ports (its rules hold a type and code): set ports to any',
    path: ['ports'],
  })
export type SecurityGroupCondition = z.infer<typeof securityGroupCondition>

export interface CriteriaGroup {
  type: 'group'
  op: 'AND' | 'OR'
  not: boolean
  label?: string | undefined
  conditions: CriteriaNode[]
}
export type CriteriaNode = CriteriaGroup | ParamCondition | SecurityGroupCondition

/** The max depth of nested groups; deeper trees are almost surely generated by mistake. */
export const MAX_DEPTH = 12

/**
 * Only a node's root criteria can be missing (nested groups are reached through the union), and that
 * is what a new Control or Filter node looks like: say what to do, not which JSON type was expected.
 */
const MISSING_CRITERIA = 'add at least one condition'

export const criteriaGroup: z.ZodType<CriteriaGroup, any> = z.object(
  {
    type: z.literal('group'),
    /** AND: every condition holds. OR: at least one does. An empty group is true for AND, false for OR. */
    op: z.enum(['AND', 'OR']).default('AND'),
    ...negatable,
    get conditions() {
      return z.array(criteriaNode).max(200).default([])
    },
  },
  { error: (issue) => (issue.input === undefined ? MISSING_CRITERIA : undefined) }
)

export const criteriaNode: z.ZodType<CriteriaNode, any> = z.lazy(() =>
  z.discriminatedUnion('type', [
    criteriaGroup as unknown as z.ZodObject<any>,
    paramCondition as unknown as z.ZodObject<any>,
    securityGroupCondition as unknown as z.ZodObject<any>,
  ])
) as unknown as z.ZodType<CriteriaNode, any>

/** The criteria of a node: a root group. */
export const criteriaSchema = criteriaGroup.superRefine((root, ctx) => {
  const depth = (node: CriteriaNode): number =>
    node.type === 'group' ? 1 + Math.max(0, ...node.conditions.map(depth)) : 0
  if (depth(root) > MAX_DEPTH)
    ctx.addIssue({ code: 'custom', message: `groups nest deeper than ${MAX_DEPTH}` })
})
export type Criteria = CriteriaGroup
export type CriteriaInput = z.input<typeof criteriaGroup>
