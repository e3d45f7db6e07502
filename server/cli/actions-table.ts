import { NO_NAME } from '../../plugins/totalcloud-control/display-name.ts'
import { renderTable } from './table.ts'

/** An item of an AWS Action node's output, as far as the table reads it. */
export interface ActionLine {
  resourceId: string
  accountId?: string | null
  region?: string | null
  status: string
  calls?: { operation: string; input: Record<string, unknown> }[]
  error?: { code?: string; message?: string }
  reason?: string
  /** Set when a call was shared with another resource: says which one made it. */
  note?: string
}

export const ACTION_NODE_TYPE = 'aws-action'

/** A call's parameters shown in one cell before the rest are cut: `--json` has them whole. */
const CALL_CHARS = 160

/**
 * What one action node did or, in a dry run, would do: a count line by status, then a row per
 * resource with each call it made (or would make) and why one failed or was skipped. The point
 * of a dry run is to read these calls before turning it off, so they are printed, not only counted.
 */
export function renderActions(nodeId: string, actions: readonly ActionLine[]): string {
  const counts = new Map<string, number>()
  for (const action of actions) counts.set(action.status, (counts.get(action.status) ?? 0) + 1)
  const summary = `${nodeId}: ${[...counts].map(([status, n]) => `${n} ${status}`).join(', ') || 'no resources'}`
  if (actions.length === 0) return summary
  const rows = [...actions]
    .sort(
      (a, b) => (a.region ?? '').localeCompare(b.region ?? '') || a.resourceId.localeCompare(b.resourceId)
    )
    .map((action) => [
      action.status.toUpperCase(),
      action.resourceId,
      action.accountId || NO_NAME,
      action.region || NO_NAME,
      callsText(action) || note(action),
    ])
  return `${summary}\n${renderTable(['STATUS', 'RESOURCE', 'ACCOUNT', 'REGION', 'CALL'], rows)}`
}

function callsText(action: ActionLine): string {
  const calls = (action.calls ?? []).map((call) => clip(`${call.operation} ${parameters(call.input)}`))
  const text = calls.join('; ')
  const why = note(action)
  return why && text ? `${text} (${why})` : text
}

/** `Name=value` pairs read better than JSON in a terminal; nested values stay JSON. */
function parameters(input: Record<string, unknown>): string {
  return Object.entries(input)
    .map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ')
}

function note(action: ActionLine): string {
  if (action.error) return [action.error.code, action.error.message].filter(Boolean).join(': ')
  return action.reason ?? action.note ?? ''
}

function clip(text: string): string {
  return text.length > CALL_CHARS ? `${text.slice(0, CALL_CHARS - 1)}…` : text
}
