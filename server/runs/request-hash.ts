import { createHash } from 'node:crypto'

/**
 * A hash of a run request as parsed (not as sent), so key order and whitespace do not make two
 * requests differ: stored with an `Idempotency-Key` to tell a retry from a new request.
 */
export function requestHashOf(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('base64url')
}

/** JSON with object keys sorted at every depth; `undefined` members left out as JSON.stringify does. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const members = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
  return `{${members.join(',')}}`
}
