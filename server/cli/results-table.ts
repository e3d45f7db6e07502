import type { ConditionEvidence, GroupEvidence, RuleMatch } from '../../core/criteria/evidence.ts'
import { NO_NAME, shownName } from '../../plugins/totalcloud-control/display-name.ts'
import { renderTable } from './table.ts'

/** A `results` item of a control node, as far as the table reads it. */
export interface ResultLine {
  resourceId: string
  displayName?: string | null
  result: string
  accountId?: string | null
  region?: string | null
  evidence?: { criteria?: GroupEvidence; error?: string }
}

const ORDER = ['FAIL', 'ERROR', 'PASS']
/** Rules named in one cell before the rest are counted: the evidence has them all. */
const RULES_SHOWN = 2

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
        rank(a.result) - rank(b.result) ||
        (a.region ?? '').localeCompare(b.region ?? '') ||
        a.resourceId.localeCompare(b.resourceId)
    )
    .map((r) => [r.result, r.resourceId, shownName(r), r.accountId || NO_NAME, r.region || NO_NAME, why(r)])
  const summary = `${nodeId}: ${count('FAIL')} FAIL, ${count('PASS')} PASS, ${count('ERROR')} ERROR`
  if (rows.length === 0) return summary
  return `${summary}\n${renderTable(['RESULT', 'RESOURCE', 'NAME', 'ACCOUNT', 'REGION', 'WHY'], rows)}`
}

function rank(result: string): number {
  const at = ORDER.indexOf(result)
  return at < 0 ? ORDER.length : at
}

/** The conditions that gave the verdict: those with the root's outcome, when it matched or was unknown. */
function why(result: ResultLine): string {
  if (result.evidence?.error) return result.evidence.error
  const root = result.evidence?.criteria
  if (!root || root.matched === false) return ''
  return leaves(root)
    .filter((leaf) => leaf.matched === root.matched)
    .map(describe)
    .filter((text) => text !== '')
    .join('; ')
}

function leaves(evidence: ConditionEvidence): ConditionEvidence[] {
  return evidence.type === 'group' ? evidence.conditions.flatMap(leaves) : [evidence]
}

function describe(leaf: ConditionEvidence): string {
  if (leaf.type === 'group') return ''
  if (leaf.type === 'param') {
    const value = leaf.value === undefined ? '' : ` ${JSON.stringify(leaf.value)}`
    return `${leaf.key} ${leaf.operator}${value}${leaf.reason ? ` (${leaf.reason})` : ''}`
  }
  if (leaf.matched === null) {
    const unknown = [
      ...leaf.unresolvedGroups.map((id) => `${id} not described`),
      ...leaf.undecidedRules.map((rule) => `${rule.groupId} rule ${rule.rule}: ${rule.reason}`),
    ]
    return unknown.join(', ')
  }
  const rules = leaf.matchedRules.map(ruleText)
  const more = rules.length > RULES_SHOWN ? ` (+${rules.length - RULES_SHOWN} more)` : ''
  return `${rules.slice(0, RULES_SHOWN).join(', ')}${more}`
}

function ruleText(rule: RuleMatch): string {
  const ports =
    rule.protocol === '-1'
      ? 'all'
      : rule.fromPort === undefined
        ? 'any'
        : rule.fromPort === rule.toPort
          ? String(rule.fromPort)
          : `${rule.fromPort}-${rule.toPort}`
  return `${rule.groupId} ${rule.protocol}/${ports} from ${rule.sources.join(' ')}`
}
