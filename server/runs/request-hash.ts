import { createHash } from 'node:crypto'
import { canonicalJson } from '../../core/canonical-json.ts'

/**
 * A hash of a run request as parsed (not as sent), so key order and whitespace do not make two
 * requests differ: stored with an `Idempotency-Key` to tell a retry from a new request.
 */
export function requestHashOf(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('base64url')
}
