/**
 * The Param condition: a key path, an operator and a value. A path can reach several values
 * (`Tags[*].Key`, `SecurityGroups.GroupId`); positive operators hold when any reached value
 * satisfies them, and each negative operator is exactly the negation of its positive twin
 * (`notEquals` = no reached value equals), so `x notEquals v` never disagrees with `NOT x equals v`.
 */
import { compilePath, FANS_OUT } from '../path.ts'
import { toEpochMs } from './dates.ts'
import type { ParamEvidence } from './evidence.ts'
import { compileSafeRegex, MAX_INPUT_LENGTH, type RegexBudget } from './regex.ts'
import type { ParamCondition, ParamOperator } from './schema.ts'
import { FALSE, not, TRUE, type Truth, truthJson, UNKNOWN } from './truth.ts'
import { compareValues, equalsTo, isEmptyValue, toNumber, toText, valuesEqual } from './values.ts'

type Json = Record<string, unknown>
const DAY_MS = 86_400_000

export interface CompiledParamCondition {
  test(item: Json): Truth
  explain(item: Json): { truth: Truth; evidence: ParamEvidence }
}

/**
 * A test over every value the path reached; it may say why it is unknown. Tests that hold when
 * any single value passes carry that per-value test as `scalar`.
 */
type ValuesTest = ((values: unknown[]) => Truth) & { scalar?: (value: unknown) => boolean }

const NEGATIONS: Partial<Record<ParamOperator, ParamOperator>> = {
  notEquals: 'equals',
  notContains: 'contains',
  notIn: 'in',
  notExists: 'exists',
  isNotEmpty: 'isEmpty',
}

export function compileParamCondition(
  condition: ParamCondition,
  options: { now: number; budget: RegexBudget }
): CompiledParamCondition {
  const path = compilePath(condition.key)
  const positive = NEGATIONS[condition.operator]
  const base = valuesTest(positive ?? condition.operator, condition, options)
  const negate = (positive !== undefined) !== condition.not
  const scalar = base.scalar
  const evaluate = (item: Json): Truth => {
    // A plain key reaching one non-list value (PubliclyAccessible) is judged without a list.
    const value = scalar ? path.one(item) : FANS_OUT
    const truth =
      value === FANS_OUT || Array.isArray(value)
        ? base(path.all(item))
        : value !== undefined && scalar!(value)
          ? TRUE
          : FALSE
    return negate ? not(truth) : truth
  }
  return {
    test: evaluate,
    explain(item) {
      const values = path.all(item)
      const raw = base(values)
      const truth = negate ? not(raw) : raw
      const observed = path.shaped(item)
      const matched = truthJson(truth)
      // One literal per shape: a property added afterwards costs every stored result a second block.
      const evidence: ParamEvidence =
        condition.value === undefined
          ? { type: 'param', key: condition.key, operator: condition.operator, observed, matched }
          : {
              type: 'param',
              key: condition.key,
              operator: condition.operator,
              observed,
              matched,
              value: condition.value,
            }
      if (condition.label !== undefined) evidence.label = condition.label
      if (truth === UNKNOWN) evidence.reason = unknownReason(condition.operator, values, options.budget)
      return { truth, evidence }
    },
  }
}

function unknownReason(operator: ParamOperator, values: unknown[], budget: RegexBudget): string {
  if (operator === 'olderThanDays' || operator === 'newerThanDays') return 'the value is not a date'
  if (scalars(values).some((value) => (toText(value)?.length ?? 0) > MAX_INPUT_LENGTH))
    return `the value is longer than ${MAX_INPUT_LENGTH.toLocaleString('en-US')} characters, too long to match a regular expression on`
  if (budget.steps <= 0)
    return 'the regular expressions of this resource ran out of work budget (too much text for their size): not matched'
  return 'the regular expression could not be run'
}

/** Arrays reached at the end of the path are compared element by element. */
function scalars(values: unknown[]): unknown[] {
  for (const value of values) if (Array.isArray(value)) return values.flat()
  return values
}

/** A test that holds when any reached value (arrays flattened) passes `test`, built once per condition. */
function anyScalar(test: (value: unknown) => boolean): ValuesTest {
  const anyOf: ValuesTest = (values) => {
    for (const value of scalars(values)) if (test(value)) return TRUE
    return FALSE
  }
  anyOf.scalar = test
  return anyOf
}

function valuesTest(
  operator: ParamOperator,
  condition: ParamCondition,
  { now, budget }: { now: number; budget: RegexBudget }
): ValuesTest {
  const expected = condition.value
  const ignoreCase = condition.ignoreCase
  const fold = (text: string) => (ignoreCase ? text.toLowerCase() : text)
  const order = (accept: (sign: number) => boolean): ValuesTest =>
    anyScalar((value) => {
      const sign = compareValues(value, expected)
      return sign !== undefined && accept(sign)
    })
  const textTest = (accept: (text: string, wanted: string) => boolean): ValuesTest => {
    const wanted = fold(toText(expected) ?? '')
    return anyScalar((value) => {
      const text = toText(value)
      return text !== undefined && accept(fold(text), wanted)
    })
  }
  switch (operator) {
    case 'exists':
      return (values) => {
        for (const value of values) if (value !== null) return TRUE
        return FALSE
      }
    case 'isEmpty':
      return (values) => (values.every(isEmptyValue) ? TRUE : FALSE)
    case 'equals':
      // A list expected is compared with the whole observed value (the list of every value the
      // path reached); a scalar with each reached value, lists flattened.
      if (Array.isArray(expected))
        return (values) =>
          valuesEqual(values.length === 1 ? values[0] : values, expected, ignoreCase) ? TRUE : FALSE
      return anyScalar(equalsTo(expected, ignoreCase))
    case 'in': {
      const list = Array.isArray(expected)
        ? expected
        : typeof expected === 'string'
          ? expected.split(',').map((part) => part.trim())
          : [expected]
      const tests = list.map((wanted) => equalsTo(wanted, ignoreCase))
      return anyScalar((value) => tests.some((equal) => equal(value)))
    }
    case 'contains': {
      // Text contains a substring; a list contains an element (checked before flattening).
      const wanted = toText(expected)
      const contains = (value: unknown) => {
        if (Array.isArray(value)) return value.some((element) => valuesEqual(element, expected, ignoreCase))
        const text = toText(value)
        return text !== undefined && wanted !== undefined && fold(text).includes(fold(wanted))
      }
      return (values) => {
        for (const value of values) if (contains(value)) return TRUE
        return FALSE
      }
    }
    case 'greaterThan':
      return order((sign) => sign > 0)
    case 'greaterThanOrEqual':
      return order((sign) => sign >= 0)
    case 'lessThan':
      return order((sign) => sign < 0)
    case 'lessThanOrEqual':
      return order((sign) => sign <= 0)
    case 'startsWith':
      return textTest((text, wanted) => text.startsWith(wanted))
    case 'endsWith':
      return textTest((text, wanted) => text.endsWith(wanted))
    case 'matches': {
      const regex = compileSafeRegex(String(expected), { ignoreCase })
      return (values) => {
        let result: Truth = FALSE
        for (const value of scalars(values)) {
          const text = toText(value)
          if (text === undefined) continue
          const hit = regex.test(text, budget)
          if (hit) return TRUE
          if (hit === undefined) result = UNKNOWN
        }
        return result
      }
    }
    case 'olderThanDays':
    case 'newerThanDays': {
      const cutoff = now - (toNumber(expected) ?? 0) * DAY_MS
      const older = operator === 'olderThanDays'
      // A present value that is not a date is unknown: the data exists but cannot be judged.
      return (values) => {
        let result: Truth = FALSE
        for (const value of scalars(values)) {
          if (value === null) continue
          const at = toEpochMs(value)
          if (at === undefined) {
            result = UNKNOWN
            continue
          }
          if (older ? at < cutoff : at >= cutoff) return TRUE
        }
        return result
      }
    }
    default:
      throw new Error(`operator ${operator} has no positive form`)
  }
}
