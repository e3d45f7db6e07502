import { describe, expect, it } from 'vitest'
import { outputCountParts } from '../../core/run/port-counts.ts'

describe('outputCountParts', () => {
  it('says a single output as "N out"', () => {
    expect(outputCountParts(16, { out: 16 })).toEqual(['16 out'])
    expect(outputCountParts(3, undefined)).toEqual(['3 out'])
  })

  it("counts each of several outputs on its own, in the ports' order and by their labels", () => {
    const ports = [
      { name: 'failed', label: 'Failed' },
      { name: 'passed', label: 'Passed' },
      { name: 'results', label: 'Results' },
    ]
    expect(outputCountParts(32, { results: 16, passed: 8, failed: 8 }, ports)).toEqual([
      '8 failed',
      '8 passed',
      '16 results',
    ])
    // Without the type's ports (the CLI's stored steps), the port names in stored order.
    expect(outputCountParts(16, { matched: 10, unmatched: 6 })).toEqual(['10 matched', '6 unmatched'])
  })
})
