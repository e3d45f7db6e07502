import { errorMessage } from '../../core/errors.ts'

export interface AwsErrorSummary {
  /** The AWS error code (`AccessDenied`, `Throttling`, `InvalidParameterValue`...) or `Error`. */
  code: string
  message: string
  /** HTTP status when the call reached a service. */
  status?: number
}

/** What a run record should say about a failed AWS call: the code a reader can search for. */
export function summariseAwsError(err: unknown): AwsErrorSummary {
  const e = err as { name?: string; Code?: string; code?: unknown; $metadata?: { httpStatusCode?: number } }
  // AWS service errors carry `Code`/`name`; qflow errors and Node's network errors carry `code`.
  const code =
    (typeof e?.Code === 'string' && e.Code) ||
    (typeof e?.code === 'string' && e.code) ||
    (typeof e?.name === 'string' && e.name !== 'Error' && e.name) ||
    'Error'
  const status = e?.$metadata?.httpStatusCode
  return { code, message: errorMessage(err), ...(status ? { status } : {}) }
}

/** EC2, RDS and IAM-style spellings of "this caller may not make that call". */
const DENIED_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'Client.UnauthorizedOperation',
])

/**
 * Whether a failed call was the service declining to describe something, rather than a fault:
 * `denied` (no permission) or `missing` (an id it does not know, e.g. `InvalidPrefixListID.NotFound`).
 * Lookups of related resources treat these as "not described" instead of failing the region.
 */
export function refusalOf(err: unknown): 'denied' | 'missing' | undefined {
  const { code } = summariseAwsError(err)
  if (DENIED_CODES.has(code)) return 'denied'
  if (/NotFound(Fault|Exception)?$/.test(code)) return 'missing'
  return undefined
}
