import { isRecordedDatetime, toEpochMs } from './dates.ts'

/**
 * How an observed value is compared with the value a user typed. The editor stores what the user
 * typed, often text, while AWS data is typed: `PubliclyAccessible` is a boolean, `Endpoint.Port`
 * a number. So a comparison adapts the expected value to the observed value's type:
 * - boolean observed: `true`/`false`, or the text "true"/"false" in any case;
 * - number observed: a number, or text that is a plain decimal number ("5432", " 5432 ", "1e3");
 * - string observed: compared as text; a number or boolean expected is compared by its text
 *   ("5432" equals 5432), so string-typed numbers in the data still match;
 * - dates (any encoding, see dates.ts) are compared as instants when both sides are dates;
 * - objects and arrays are compared structurally with an object or array expected.
 * Anything else does not match: no value is ever equal to a value of an unrelated type.
 */

const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i

/** A number from a number or plain decimal text; undefined otherwise. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value === 'string') {
    const text = value.trim()
    if (text.length === 0 || text.length > 40 || !NUMBER_TEXT.test(text)) return undefined
    return Number(text)
  }
  return undefined
}

/** A boolean from a boolean or the text "true"/"false" (any case, trimmed); undefined otherwise. */
export function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase()
    if (text === 'true') return true
    if (text === 'false') return false
  }
  return undefined
}

/** Text of a scalar (for string operators); undefined for objects, arrays, null and undefined. */
export function toText(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value)
  return undefined
}

export function isDateValue(value: unknown): boolean {
  return value instanceof Date || isRecordedDatetime(value)
}

/** Equality under the type rules above. `ignoreCase` applies to text. */
export function valuesEqual(observed: unknown, expected: unknown, ignoreCase = false): boolean {
  if (observed === expected) return true
  if (observed === null || observed === undefined || expected === undefined) return false
  switch (typeof observed) {
    case 'boolean':
      return toBoolean(expected) === observed
    case 'number': {
      const n = toNumber(expected)
      return n !== undefined && n === observed
    }
    case 'string': {
      if (typeof expected === 'string') {
        if (ignoreCase ? observed.toLowerCase() === expected.toLowerCase() : observed === expected)
          return true
        return sameInstant(observed, expected)
      }
      if (typeof expected === 'number') return toNumber(observed) === expected
      if (typeof expected === 'boolean') return toBoolean(observed) === expected
      if (isDateValue(expected)) return sameInstant(observed, expected)
      return false
    }
    case 'object':
      if (isDateValue(observed)) return sameInstant(observed, expected)
      if (typeof expected === 'object' && expected !== null) return deepEqual(observed, expected)
      return false
    default:
      return false
  }
}

/**
 * `valuesEqual(observed, expected, ignoreCase)` for one expected value, with the expected side's
 * boolean and number readings worked out once instead of for every resource.
 */
export function equalsTo(expected: unknown, ignoreCase = false): (observed: unknown) => boolean {
  if (expected === undefined) return (observed) => observed === undefined
  const asBoolean = toBoolean(expected)
  const asNumber = toNumber(expected)
  return (observed) => {
    if (typeof observed === 'boolean') return asBoolean === observed
    if (typeof observed === 'number')
      return observed === expected || (asNumber !== undefined && asNumber === observed)
    return valuesEqual(observed, expected, ignoreCase)
  }
}

function sameInstant(a: unknown, b: unknown): boolean {
  const x = toEpochMs(a)
  return x !== undefined && x === toEpochMs(b)
}

/**
 * Order of an observed value against an expected one: negative, zero, positive, or undefined when
 * they are not comparable. Numbers compare numerically (text that is a number counts), dates as
 * instants, other text by code units.
 */
export function compareValues(observed: unknown, expected: unknown): number | undefined {
  const a = toNumber(observed)
  const b = toNumber(expected)
  if (a !== undefined && b !== undefined) return a - b
  const da = toEpochMs(observed)
  const db = toEpochMs(expected)
  if (da !== undefined && db !== undefined) return da - db
  if (typeof observed === 'string' && typeof expected === 'string')
    return observed < expected ? -1 : observed > expected ? 1 : 0
  return undefined
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) {
    const other = b as unknown[]
    return a.length === other.length && a.every((element, i) => deepEqual(element, other[i]))
  }
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  return ka.every(
    (key) =>
      Object.hasOwn(b, key) &&
      deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])
  )
}

/** Null, empty text, empty array and empty object are empty; so is a missing value. */
export function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null) return true
  if (typeof value === 'string') return value.length === 0
  if (Array.isArray(value)) return value.length === 0
  if (typeof value === 'object' && !isDateValue(value)) return Object.keys(value).length === 0
  return false
}
