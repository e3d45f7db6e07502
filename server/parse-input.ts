import type { z } from 'zod'
import { issueLines } from '../core/flow/unknown-keys.ts'
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
  const parsed = schema.safeParse(value, { error: describeIssue })
  if (parsed.success) return parsed.data
  throw validationFailed(parsed.error.issues.flatMap((issue) => issuesOf(schema, value, issue, where)))
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

const NOUNS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  bigint: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'a list',
  tuple: 'a list',
  date: 'a date',
  null: 'null',
}

/** What a value is, in the words the messages use; never the value itself (it may be huge or secret). */
export function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'number' && Number.isNaN(value)) return 'not a number'
  return NOUNS[typeof value] ?? typeof value
}

const quote = (value: unknown) => JSON.stringify(typeof value === 'string' ? value.slice(0, 60) : value)

/** The message for one issue zod raised with its default wording. */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = NOUNS[issue.expected] ?? issue.expected
      // A coerced query value that is not a number arrives as NaN, its text already gone.
      if (issue.received === 'NaN') return `expected ${expected}`
      if (issue.input === undefined) return 'required'
      return `expected ${expected}, got ${kindOf(issue.input)}`
    }
    case 'invalid_value':
      if (issue.input === undefined)
        return `required (one of ${issue.values.map((v) => quote(v)).join(', ')})`
      return issue.values.length === 1
        ? `expected ${quote(issue.values[0])}`
        : `expected one of ${issue.values.map((value) => quote(value)).join(', ')}, got ${quote(issue.input)}`
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum
      const word = issue.code === 'too_small' ? 'at least' : 'at most'
      const exact =
        issue.inclusive === false ? (issue.code === 'too_small' ? 'more than' : 'less than') : word
      const noun = issue.origin === 'string' ? 'character' : issue.origin === 'array' ? 'item' : ''
      if (issue.code === 'too_small' && noun && Number(bound) === 1) return 'must not be empty'
      const unit = noun ? ` ${noun}${Number(bound) === 1 ? '' : 's'}` : ''
      return `expected ${exact} ${String(bound)}${unit}`
    }
    case 'invalid_format':
      return issue.format === 'datetime'
        ? 'expected an ISO date and time such as 2026-01-31T12:00:00Z'
        : `expected a ${issue.format}`
    case 'not_multiple_of':
      return issue.divisor === 1 ? 'expected an integer' : `expected a multiple of ${String(issue.divisor)}`
    case 'invalid_union':
      return describeUnion(issue)
    default:
      return undefined
  }
}

/** A discriminated union names its discriminator's options; a plain one, the kinds it accepts. */
function describeUnion(issue: z.core.$ZodRawIssue<z.core.$ZodIssueInvalidUnion>): string {
  if (issue.discriminator !== undefined && Array.isArray(issue.options)) {
    const options = (issue.options as unknown[]).map((option) => quote(option)).join(', ')
    const input = issue.input as Record<string, unknown> | undefined
    const given = typeof input === 'object' && input !== null ? input[issue.discriminator] : undefined
    return given === undefined
      ? `required (one of ${options})`
      : `expected one of ${options}, got ${quote(given)}`
  }
  const expected = issue.errors.map((branch) => {
    const [only] = branch
    return branch.length === 1 && only?.code === 'invalid_type' && only.path.length === 0
      ? (NOUNS[only.expected] ?? only.expected)
      : undefined
  })
  if (expected.every((noun) => noun !== undefined)) {
    return `expected ${[...new Set(expected)].join(' or ')}, got ${kindOf(issue.input)}`
  }
  return 'does not match any accepted shape'
}
