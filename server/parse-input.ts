import type { z } from 'zod'
import { issueLines } from '../core/flow/unknown-keys.ts'
import { describeIssue } from '../core/zod-messages.ts'
import { AppError } from './errors.ts'

export interface InputIssue {
  field: string
  message: string
}

/**
 * Parse a value with a schema; a failure is a 400 whose message names the first bad field, e.g.
 * `detail-type: expected a string, got a number` or `source: required`. Messages a schema sets
 * itself win over these (zod ranks a schema's own error above the per-parse map used here).
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.infer<S> {
  const checked = checkInput(schema, value, where)
  if (checked.success) return checked.data
  throw validationFailed(checked.issues)
}

/** The same check without the 400: the value, or its issues in the same words (for files, not requests). */
export function checkInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where = 'body'
): { success: true; data: z.infer<S> } | { success: false; issues: InputIssue[] } {
  const parsed = schema.safeParse(value, { error: describeIssue })
  if (parsed.success) return { success: true, data: parsed.data }
  return {
    success: false,
    issues: parsed.error.issues.flatMap((issue) => issuesOf(schema, value, issue, where)),
  }
}

/**
 * The 400 every input check answers with: the first issue in the message, all in `details.issues`
 * (with `extra` details beside them, e.g. the query parameters a route accepts).
 */
export function validationFailed(issues: InputIssue[], extra: Record<string, unknown> = {}): AppError {
  const first = issues[0] ?? { field: 'body', message: 'invalid' }
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''
  return new AppError(400, 'VALIDATION_FAILED', `${first.field}: ${first.message}${more}`, {
    ...extra,
    issues,
  })
}

function issuesOf(schema: z.ZodType, value: unknown, issue: z.core.$ZodIssue, where: string): InputIssue[] {
  const at = (path: PropertyKey[]) => path.map(String).join('.') || where
  // Query parameters are listed in the answer's details, so the key alone is enough there.
  if (issue.code === 'unrecognized_keys' && where === 'query') {
    return issue.keys.map((key) => ({ field: at([...issue.path, key]), message: 'unknown query parameter' }))
  }
  // One line per unknown key, each naming the key itself and the known one it likely meant.
  return issueLines(schema, value, issue).map((line) => ({ field: at(line.path), message: line.message }))
}
