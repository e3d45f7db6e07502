import type { z } from 'zod'

/**
 * Zod issues in plain words, for every message that names a field: an API 400, a flow problem, a
 * boot error, a plugin's package. Pass it as a parse's `error` (`safeParse(value, { error:
 * describeIssue })`); messages a schema sets itself still win. zod's own wording ("Too small:
 * expected number to be >0", "expected number, received Infinity") is for programmers.
 */

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
export function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = NOUNS[issue.expected] ?? issue.expected
      // A coerced query value that is not a number arrives as NaN, its text already gone.
      if (issue.received === 'NaN') return `expected ${expected}`
      // JSON's 1e400 reads as Infinity: a number, but none a field can hold.
      if (issue.expected === 'number' && typeof issue.input === 'number')
        return `expected a finite number, got ${String(issue.input)}`
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
