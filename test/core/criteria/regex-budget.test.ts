/**
 * The regex work budget of one resource, shared by all its `matches` conditions: twenty large
 * patterns over a 64 KB value must not hold the process, and running out is unknown, never PASS.
 * Steps are counted, so these tests assert on the count, never on time.
 */
import { describe, expect, it } from 'vitest'
import { compileCriteria, REGEX_STEPS_PER_RESOURCE } from '../../../core/criteria/compile.ts'
import type { GroupEvidence, ParamEvidence } from '../../../core/criteria/evidence.ts'
import { criteriaSchema } from '../../../core/criteria/schema.ts'
import { FALSE, TRUE, UNKNOWN } from '../../../core/criteria/truth.ts'
import { NOW } from '../../support/criteria.ts'

const HEAVY = '[ab]*a[ab]{998}c'
const big = { a: 'ab'.repeat(32_768), small: 'prod-db' }

const matches = (key: string, value: string) => ({ type: 'param', key, operator: 'matches', value })
const compile = (criteria: unknown, regexStepsPerResource?: number) =>
  compileCriteria(criteriaSchema.parse(criteria), {
    now: NOW,
    ...(regexStepsPerResource === undefined ? {} : { regexStepsPerResource }),
  })

describe('regex work budget per resource', () => {
  it('makes an OR of twenty heavy patterns over a 64 KB value unknown, with the reason', () => {
    const criteria = compile({ type: 'group', op: 'OR', conditions: Array(20).fill(matches('a', HEAVY)) })
    expect(criteria.test(big)).toBe(UNKNOWN)
    const { truth, evidence } = criteria.explain(big)
    expect(truth).toBe(UNKNOWN)
    const first = evidence.conditions[0] as ParamEvidence
    expect(first.matched).toBeNull()
    expect(first.reason).toMatch(/ran out of work budget/)
    // The budget is per resource: the next resource starts with all of it.
    expect(criteria.test({ a: 'aac' })).toBe(FALSE)
  })

  it('is shared: a spent budget leaves later patterns unknown even on short values', () => {
    const criteria = compile(
      {
        type: 'group',
        op: 'AND',
        conditions: [matches('a', 'x|a'), matches('small', '^prod-')],
      },
      40
    )
    // 'x|a' on a short value then '^prod-' fit in 40 steps...
    expect(criteria.test({ a: 'a', small: 'prod-db' })).toBe(TRUE)
    // ...but not after a long value ate the budget.
    expect(criteria.test({ a: `${'z'.repeat(50)}a`, small: 'prod-db' })).toBe(UNKNOWN)
  })

  it('never makes a NOT of an exhausted pattern true', () => {
    const criteria = compile({ type: 'group', op: 'AND', not: true, conditions: [matches('a', HEAVY)] })
    expect(criteria.test(big)).toBe(UNKNOWN)
    expect(criteria.explain(big).truth).toBe(UNKNOWN)
  })

  it('gives test and explain the same answers when explain reads conditions test skips', () => {
    // test stops the inner AND at its false first condition; explain reads the heavy pattern for
    // the evidence, and must not take the steps the outer OR's last condition needs.
    const criteria = compile(
      {
        type: 'group',
        op: 'OR',
        conditions: [
          { type: 'group', op: 'AND', conditions: [matches('small', '^dev-'), matches('a', HEAVY)] },
          matches('small', '^prod-'),
        ],
      },
      100_000
    )
    expect(criteria.test(big)).toBe(TRUE)
    const { truth, evidence } = criteria.explain(big)
    expect(truth).toBe(TRUE)
    const inner = evidence.conditions[0] as GroupEvidence
    expect((inner.conditions[1] as ParamEvidence).matched).toBeNull()
  })

  it('is large enough for an ordinary pattern over a 64 KB value', () => {
    expect(REGEX_STEPS_PER_RESOURCE).toBeGreaterThanOrEqual(500_000)
    const criteria = compile({ type: 'group', op: 'AND', conditions: [matches('a', 'secret|password=\\w+')] })
    expect(criteria.test(big)).toBe(FALSE)
  })
})
