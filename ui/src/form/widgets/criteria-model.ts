/**
 * The criteria tree as the TotalCloud Control and Filter nodes store it (core/criteria/schema.ts,
 * docs/criteria.md): groups with AND / OR and NOT, Param and Security Group conditions as leaves.
 * The builder edits it immutably through these helpers.
 */
export type CriteriaNode = Record<string, unknown> & { type: 'group' | 'param' | 'securityGroup' }
export type Group = CriteriaNode & { type: 'group'; op: 'AND' | 'OR'; conditions: CriteriaNode[] }

export const PARAM_OPERATOR_LABELS: Record<string, string> = {
  equals: '==',
  notEquals: '!=',
  greaterThan: '>',
  greaterThanOrEqual: '>=',
  lessThan: '<',
  lessThanOrEqual: '<=',
  contains: 'contains',
  notContains: 'does not contain',
  in: 'in list',
  notIn: 'not in list',
  exists: 'exists',
  notExists: 'does not exist',
  isEmpty: 'is empty',
  isNotEmpty: 'is not empty',
  startsWith: 'starts with',
  endsWith: 'ends with',
  matches: 'matches regex',
  olderThanDays: 'older than (days)',
  newerThanDays: 'newer than (days)',
}
export const UNARY = new Set(['exists', 'notExists', 'isEmpty', 'isNotEmpty'])

export function emptyGroup(op: 'AND' | 'OR' = 'AND'): Group {
  return { type: 'group', op, not: false, conditions: [] }
}

export function newParam(): CriteriaNode {
  return { type: 'param', key: '', operator: 'equals', value: '' }
}

export function newSecurityGroup(): CriteriaNode {
  return {
    type: 'securityGroup',
    direction: 'inbound',
    protocol: 'any',
    ports: { mode: 'any' },
    source: { kind: 'publicIpv4' },
  }
}

export function asGroup(value: unknown): Group {
  if (value && typeof value === 'object' && (value as CriteriaNode).type === 'group') {
    const group = value as Group
    return {
      ...group,
      op: group.op ?? 'AND',
      conditions: Array.isArray(group.conditions) ? group.conditions : [],
    }
  }
  return emptyGroup()
}

/** Replace the node at `path` (indices into nested `conditions`) with `next`, or remove it when undefined. */
export function replaceAt(root: Group, path: number[], next: CriteriaNode | undefined): Group {
  if (!path.length) return (next as Group) ?? root
  const [head, ...rest] = path
  const conditions = [...root.conditions]
  if (!rest.length) {
    if (next === undefined) conditions.splice(head!, 1)
    else conditions[head!] = next
  } else conditions[head!] = replaceAt(asGroup(conditions[head!]), rest, next)
  return { ...root, conditions }
}
