import type { ConditionEvidence, GroupEvidence, RuleMatch } from '../../core/criteria/evidence.ts'

/**
 * Why a control gave a resource its verdict, in one line: the CLI's results table and the editor's
 * execution details both show it (the WHY column), so they read the evidence the same way.
 */

/** A `results` item of a control node, as far as results tables read it. */
export interface ResultLine {
  resourceId: string
  displayName?: string | null
  result: string
  accountId?: string | null
  region?: string | null
  evidence?: { criteria?: GroupEvidence; error?: string }
}

/** Verdicts in the order tables list them: what needs attention first. */
export const VERDICT_ORDER = ['FAIL', 'ERROR', 'PASS']

/** A verdict's place in VERDICT_ORDER (unknown verdicts last). */
export function verdictRank(result: string): number {
  const at = VERDICT_ORDER.indexOf(result)
  return at < 0 ? VERDICT_ORDER.length : at
}

/** Rules named in one cell before the rest are counted: the evidence has them all. */
const RULES_SHOWN = 2

/** The conditions that gave the verdict: those with the root's outcome, when it matched or was unknown. */
export function verdictReason(result: Pick<ResultLine, 'evidence'>): string {
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
