import type { z } from 'zod'
import { AppError } from './errors.ts'

/** Parse a value with a schema; a failure is a 400 whose message names the first bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.infer<S> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issues = parsed.error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || where,
    message: issue.message,
  }))
  const first = issues[0]!
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''
  throw new AppError(400, 'VALIDATION_FAILED', `${first.field}: ${first.message}${more}`, { issues })
}
