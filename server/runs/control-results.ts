import type { Item } from '../../core/plugin/types.ts'
import { CONTROL_RESULTS, type ControlResult } from '../db/schema/controls.ts'

/** The node type whose `results` port the server keeps per resource. */
export const CONTROL_NODE_TYPE = 'totalcloud-control'
export const CONTROL_RESULTS_PORT = 'results'

export interface ControlResultRow {
  resourceId: string
  result: ControlResult
  displayName: string | null
  accountId: string | null
  region: string | null
  evidence: unknown
}

/**
 * The storable rows among a control node's result items. Items without a resource id or with a
 * result other than PASS/FAIL/ERROR are skipped: a history keyed by resource cannot hold them.
 */
export function controlRowsOf(items: readonly Item[]): ControlResultRow[] {
  const rows: ControlResultRow[] = []
  for (const item of items) {
    const resourceId = textOf(item.resourceId)
    const result = item.result
    if (!resourceId || !CONTROL_RESULTS.includes(result as ControlResult)) continue
    rows.push({
      resourceId,
      result: result as ControlResult,
      displayName: textOf(item.displayName),
      accountId: textOf(item.accountId),
      region: textOf(item.region),
      evidence: item.evidence ?? null,
    })
  }
  return rows
}

function textOf(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return null
}
