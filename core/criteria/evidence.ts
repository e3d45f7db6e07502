/**
 * What the evaluator reports about one resource, condition by condition, mirroring the criteria
 * tree. `matched` is the condition's truth after its own `not`: true, false, or null (unknown).
 */
export interface ParamEvidence {
  type: 'param'
  label?: string
  key: string
  operator: string
  value?: unknown
  /** What the key path reached: a list when the path runs over arrays, else the value (undefined when absent). */
  observed: unknown
  matched: boolean | null
  /** Why the outcome is unknown, when it is. */
  reason?: string
}

/** One permission that satisfied a security-group condition (port, protocol and source together). */
export interface RuleMatch {
  groupId: string
  groupName?: string
  /** Position of the permission in the direction's list (`IpPermissions[rule]`). */
  rule: number
  /** `IpProtocol` as written (`tcp`, `6`, `-1`, ...). */
  protocol: string
  fromPort?: number
  toPort?: number
  /** The sources of the permission that matched: CIDRs, `pl-...: <cidr>`, referenced group ids. */
  sources: string[]
  /** Set when the match came from following a group-to-group reference. */
  via?: { groupId: string; rule: number; sources: string[] }
}

/** A permission whose answer the data does not hold (an undescribed prefix list or group, an unknown port). */
export interface UndecidedRule {
  groupId: string
  rule: number
  reason: string
}

export interface GroupReference {
  groupId: string
  rule: number
  referencedGroupId: string
  /** Whether the referenced group's own rules were read (followReferences and it is in the data). */
  followed: boolean
}

export interface SecurityGroupEvidence {
  type: 'securityGroup'
  label?: string
  direction: 'inbound' | 'outbound'
  /** The key that was read in each group. */
  read: 'IpPermissions' | 'IpPermissionsEgress'
  protocol: string
  /** The port range asked about; null when it is the resource's port and the resource has none. */
  ports: { from: number; to: number } | 'any' | null
  portMatch: 'any' | 'all'
  source: string
  /** Ids of the groups whose rules were read, sorted. */
  groups: string[]
  /** Attached groups the data does not describe. */
  unresolvedGroups: string[]
  /** Every permission that matched, sorted by group, protocol, ports and sources. */
  matchedRules: RuleMatch[]
  undecidedRules: UndecidedRule[]
  references: GroupReference[]
  matched: boolean | null
}

export interface GroupEvidence {
  type: 'group'
  label?: string
  op: 'AND' | 'OR'
  not: boolean
  matched: boolean | null
  conditions: ConditionEvidence[]
}

export type ConditionEvidence = GroupEvidence | ParamEvidence | SecurityGroupEvidence
