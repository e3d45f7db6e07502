import { NO_NAME, shownName } from '../../plugins/totalcloud-control/display-name.ts'
import {
  type ResultLine,
  verdictRank,
  verdictReason,
} from '../../plugins/totalcloud-control/verdict-reasons.ts'
import { renderTable } from './table.ts'

export type { ResultLine }

/**
 * One control node's verdicts: a count line, then a row per resource, FAIL first, then ERROR,
 * then PASS, with the conditions that decided it. A missing name, account or region shows as `-`
 * (as in the editor's results table), never as a blank cell that reads like a misaligned column.
 */
export function renderResults(nodeId: string, results: readonly ResultLine[]): string {
  const count = (verdict: string) => results.filter((r) => r.result === verdict).length
  const rows = [...results]
    .sort(
      (a, b) =>
        verdictRank(a.result) - verdictRank(b.result) ||
        (a.region ?? '').localeCompare(b.region ?? '') ||
        a.resourceId.localeCompare(b.resourceId)
    )
    .map((r) => [
      r.result,
      r.resourceId,
      shownName(r),
      r.accountId || NO_NAME,
      r.region || NO_NAME,
      verdictReason(r),
    ])
  const summary = `${nodeId}: ${count('FAIL')} FAIL, ${count('PASS')} PASS, ${count('ERROR')} ERROR`
  if (rows.length === 0) return summary
  return `${summary}\n${renderTable(['RESULT', 'RESOURCE', 'NAME', 'ACCOUNT', 'REGION', 'WHY'], rows)}`
}
