import { describe, expect, it } from 'vitest'
import { renderResults } from '../../server/cli/results-table.ts'

/** The rows of the table under the count line and the header, split on runs of two spaces or more. */
function rowsOf(text: string): string[][] {
  return text
    .split('\n')
    .slice(2)
    .filter((line) => !/^[-\s]+$/.test(line))
    .map((line) => line.trim().split(/\s{2,}/))
}

describe('the CLI results table', () => {
  it('shows the display name, or "-" when a resource has none of its own', () => {
    const text = renderResults('control', [
      {
        resourceId: 'db-named',
        displayName: 'orders',
        result: 'PASS',
        accountId: '123456789012',
        region: 'us-east-1',
      },
      // The control node names a resource by its id when DBName is null.
      {
        resourceId: 'db-unnamed',
        displayName: 'db-unnamed',
        result: 'FAIL',
        accountId: '123456789012',
        region: 'us-east-1',
      },
      { resourceId: 'db-null', displayName: null, result: 'FAIL', accountId: null, region: null },
    ])
    expect(text.split('\n')[0]).toBe('control: 2 FAIL, 1 PASS, 0 ERROR')
    expect(text.split('\n')[1]).toMatch(/^RESULT\s+RESOURCE\s+NAME\s+ACCOUNT\s+REGION\s+WHY$/)
    expect(rowsOf(text)).toEqual([
      ['FAIL', 'db-null', '-', '-', '-'],
      ['FAIL', 'db-unnamed', '-', '123456789012', 'us-east-1'],
      ['PASS', 'db-named', 'orders', '123456789012', 'us-east-1'],
    ])
  })
})
