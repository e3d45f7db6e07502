/**
 * Criteria that cannot run are problems of the flow when it is saved, each naming the field with
 * a readable message, and they block a run; nothing waits for run time to refuse them.
 */
import { describe, expect, it } from 'vitest'
import { problemsBlockingRun } from '../../../core/flow/run-scope.ts'
import { validateFlow } from '../../../core/flow/validate.ts'
import { createRegistry } from '../../../core/plugin/registry.ts'
import { flow } from '../../support/flows.ts'
import { builtinAndTestPlugins } from '../../support/plugins.ts'

const registry = createRegistry(builtinAndTestPlugins)

const withCriteria = (type: string, conditions: unknown[]) =>
  flow(
    [
      ['t', 'trigger'],
      ['c', type, { criteria: { type: 'group', op: 'AND', conditions } }],
    ],
    [['t', 'c']]
  )

const param = (operator: string, value: unknown) => ({ type: 'param', key: 'DBName', operator, value })

describe('invalid criteria are problems when the flow is saved', () => {
  const cases: [string, unknown[], string, RegExp][] = [
    ['a lookahead regex', [param('matches', '(?=a)b')], 'criteria.conditions.0.value', /lookahead/],
    ['a backreference', [param('matches', '(a)\\1')], 'criteria.conditions.0.value', /backreferences/],
    ['an inline flag', [param('matches', 'a(?i)b')], 'criteria.conditions.0.value', /inline flags/],
    [
      'a pattern too large once expanded',
      [param('matches', '(a{999}){999}')],
      'criteria.conditions.0.value',
      /over 5000 steps/,
    ],
    [
      'older than -3 days',
      [param('olderThanDays', -3)],
      'criteria.conditions.0.value',
      /number of days \(0 or more\)/,
    ],
    ['older than "-3" days', [param('olderThanDays', '-3')], 'criteria.conditions.0.value', /number of days/],
    [
      'newer than "soon" days',
      [param('newerThanDays', 'soon')],
      'criteria.conditions.0.value',
      /number of days/,
    ],
    [
      'a lookbehind in a nested group',
      [{ type: 'group', op: 'OR', conditions: [param('equals', 'x'), param('matches', '(?<=a)b')] }],
      'criteria.conditions.0.conditions.1.value',
      /lookahead and lookbehind/,
    ],
  ]
  for (const type of ['totalcloud-control', 'filter'])
    for (const [name, conditions, field, message] of cases)
      it(`${type}: ${name}`, () => {
        const f = withCriteria(type, conditions)
        const problems = validateFlow(f, registry)
        expect(problems).toEqual([
          expect.objectContaining({
            code: 'CONFIG_INVALID',
            nodeId: 'c',
            field,
            message: expect.stringMatching(message),
          }),
        ])
        // The message starts with the field, so it reads on its own in a list of problems.
        expect(problems[0]!.message.startsWith(`${field}: `)).toBe(true)
        expect(problemsBlockingRun(f, problems)).toHaveLength(1)
      })

  it('accepts the same criteria once fixed', () => {
    const fixed = [param('matches', '(?i)^prod-'), param('olderThanDays', 3)]
    expect(validateFlow(withCriteria('totalcloud-control', fixed), registry)).toEqual([])
  })
})
