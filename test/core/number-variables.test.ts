import { describe, expect, it } from 'vitest'
import { variableIssues } from '../../core/flow/schema.ts'
import { coerceVariable } from '../../core/flow/variable-types.ts'
import { overrideValues } from '../../core/flow/variables.ts'

describe('number variables', () => {
  it('read decimal text only: sign, point and exponent, nothing around it', () => {
    const read = (text: string) => coerceVariable('number', text)
    for (const [text, value] of [
      ['5', 5],
      ['-2.5', -2.5],
      ['+7', 7],
      ['.5', 0.5],
      ['5.', 5],
      ['1e3', 1000],
      ['2.5E-1', 0.25],
    ] as const) {
      expect(read(text)).toEqual({ ok: true, value })
    }
    for (const text of ['0x10', '0b11', '0o7', '  5 ', '5 ', '', ' ', '1e400', 'Infinity', '1_000', '5e']) {
      expect(read(text), text).toEqual({ ok: false })
    }
  })

  it('apply the same rule to a flow variable value and to a run override', () => {
    const declared = [{ name: 'n', type: 'number' as const, value: '0x10' }]
    expect(variableIssues(declared)).toEqual([
      { path: [0, 'value'], message: 'expected a number (or its decimal text) for a number variable' },
    ])
    expect(() => overrideValues(declared, { n: ' 5 ' })).toThrow('variables.n: expected a number')
    expect(overrideValues(declared, { n: '5' })).toEqual({ n: 5 })
  })
})
