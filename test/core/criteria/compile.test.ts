import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { criteriaSchema } from '../../../core/criteria/schema.ts'
import { compile, judge } from '../../support/criteria.ts'

// Leaves with a fixed truth: a param condition that is true, false, or unknown for ITEM.
const ITEM = { yes: true, no: false, when: 'not a date' }
const T = { type: 'param', key: 'yes', operator: 'equals', value: true }
const F = { type: 'param', key: 'no', operator: 'equals', value: true }
const U = { type: 'param', key: 'when', operator: 'olderThanDays', value: 1 }
const group = (op: 'AND' | 'OR', conditions: object[], not = false) => ({
  type: 'group',
  op,
  not,
  conditions,
})

describe('groups: three-valued logic', () => {
  it('the leaves are what they claim', () => {
    expect(judge(group('AND', [T]), ITEM)).toBe(true)
    expect(judge(group('AND', [F]), ITEM)).toBe(false)
    expect(judge(group('AND', [U]), ITEM)).toBe('unknown')
  })

  const table: [string, object[], boolean | 'unknown'][] = [
    ['OR', [T, U], true],
    ['OR', [U, T], true],
    ['OR', [F, U], 'unknown'],
    ['OR', [F, F], false],
    ['AND', [F, U], false],
    ['AND', [U, F], false],
    ['AND', [T, U], 'unknown'],
    ['AND', [T, T], true],
    ['AND', [], true],
    ['OR', [], false],
  ]
  for (const [op, conditions, expected] of table) {
    it(`${op} of ${conditions.map((c) => (c === T ? 'true' : c === F ? 'false' : 'unknown')).join(', ') || 'nothing'} is ${expected}`, () => {
      expect(judge(group(op as 'AND' | 'OR', conditions), ITEM)).toBe(expected)
    })
  }

  it('NOT flips true and false and keeps unknown', () => {
    expect(judge(group('AND', [T], true), ITEM)).toBe(false)
    expect(judge(group('AND', [F], true), ITEM)).toBe(true)
    expect(judge(group('AND', [U], true), ITEM)).toBe('unknown')
    expect(judge(group('AND', [{ ...U, not: true }]), ITEM)).toBe('unknown')
  })

  it('nests groups: (F OR (T AND NOT F)) AND NOT (U AND F)', () => {
    const criteria = group('AND', [
      group('OR', [F, group('AND', [T, { ...F, not: true }])]),
      group('AND', [U, F], true),
    ])
    expect(judge(criteria, ITEM)).toBe(true)
  })
})

describe('evidence', () => {
  it('mirrors the tree and shows every condition, even after the answer is known', () => {
    const criteria = group('OR', [T, group('AND', [F, U], true)])
    const { evidence } = compile(criteria).explain(ITEM)
    expect(evidence).toEqual({
      type: 'group',
      op: 'OR',
      not: false,
      matched: true,
      conditions: [
        { type: 'param', key: 'yes', operator: 'equals', value: true, observed: true, matched: true },
        {
          type: 'group',
          op: 'AND',
          not: true,
          matched: true,
          conditions: [
            { type: 'param', key: 'no', operator: 'equals', value: true, observed: false, matched: false },
            {
              type: 'param',
              key: 'when',
              operator: 'olderThanDays',
              value: 1,
              observed: 'not a date',
              matched: null,
              reason: 'the value is not a date',
            },
          ],
        },
      ],
    })
  })

  it('carries labels', () => {
    const criteria = { ...group('AND', [{ ...T, label: 'public flag' }]), label: 'exposure' }
    const { evidence } = compile(criteria).explain(ITEM)
    expect(evidence.label).toBe('exposure')
    expect(evidence.conditions[0]!.label).toBe('public flag')
  })
})

describe('criteria schema', () => {
  it('fills defaults so a bare security-group condition is the sample one', () => {
    const parsed = criteriaSchema.parse({ type: 'group', conditions: [{ type: 'securityGroup' }] })
    expect(parsed.op).toBe('AND')
    expect(parsed.conditions[0]).toMatchObject({
      direction: 'inbound',
      protocol: 'any',
      ports: { mode: 'any' },
      portMatch: 'any',
      source: { kind: 'publicIpv4' },
      followReferences: false,
      groupsKey: 'SecurityGroups',
      not: false,
    })
  })

  const bad: [string, object, (string | number)[], RegExp][] = [
    [
      'an unknown operator',
      group('AND', [{ type: 'param', key: 'a', operator: 'like', value: 1 }]),
      ['conditions', 0, 'operator'],
      /./,
    ],
    [
      'a missing value',
      group('AND', [{ type: 'param', key: 'a', operator: 'equals' }]),
      ['conditions', 0, 'value'],
      /needs a value/,
    ],
    [
      'a bad key path',
      group('AND', [{ type: 'param', key: 'a..b[', operator: 'exists' }]),
      ['conditions', 0, 'key'],
      /bad key path/,
    ],
    [
      'a hanging-prone regex',
      group('AND', [{ type: 'param', key: 'a', operator: 'matches', value: '(a)\\1' }]),
      ['conditions', 0, 'value'],
      /backreferences/,
    ],
    [
      'days that are not a number',
      group('AND', [{ type: 'param', key: 'a', operator: 'olderThanDays', value: 'soon' }]),
      ['conditions', 0, 'value'],
      /number of days/,
    ],
    [
      'a list for startsWith',
      group('AND', [{ type: 'param', key: 'a', operator: 'startsWith', value: ['x'] }]),
      ['conditions', 0, 'value'],
      /not a list/,
    ],
    [
      'a bad CIDR deep down',
      group('OR', [group('AND', [{ type: 'securityGroup', source: { kind: 'cidr', cidr: '10.0.0.0/40' } }])]),
      ['conditions', 0, 'conditions', 0, 'source', 'cidr'],
      /CIDR/,
    ],
    [
      'ports out of order',
      group('AND', [{ type: 'securityGroup', ports: { mode: 'range', from: 10, to: 1 } }]),
      ['conditions', 0, 'ports', 'to'],
      /from must not be above to/,
    ],
    [
      'a port above 65535',
      group('AND', [{ type: 'securityGroup', ports: { mode: 'range', from: 1, to: 70000 } }]),
      ['conditions', 0, 'ports', 'to'],
      /./,
    ],
    ['an unknown condition type', group('AND', [{ type: 'tag' }]), ['conditions', 0, 'type'], /./],
  ]
  for (const [what, criteria, path, message] of bad) {
    it(`refuses ${what}, naming the field`, () => {
      const result = criteriaSchema.safeParse(criteria)
      expect(result.success).toBe(false)
      const issue = result.error!.issues[0]!
      expect(issue.path).toEqual(path)
      expect(issue.message).toMatch(message)
    })
  }

  it('refuses trees nested absurdly deep', () => {
    let tree: object = group('AND', [T])
    for (let i = 0; i < 15; i++) tree = group('AND', [tree])
    expect(criteriaSchema.safeParse(tree).error?.issues[0]?.message).toMatch(/deeper than/)
  })

  it('turns into JSON Schema for the editor, recursion included', () => {
    const schema = z.toJSONSchema(z.object({ criteria: criteriaSchema }), { io: 'input' }) as any
    const text = JSON.stringify(schema)
    expect(text).toContain('"olderThanDays"')
    expect(text).toContain('"publicIpv4"')
    expect(text).toContain('"$ref"')
    expect(schema.properties.criteria.properties.op.enum).toEqual(['AND', 'OR'])
  })
})
