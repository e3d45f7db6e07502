/**
 * EventBridge-style event patterns, so a rule written for an EventBridge API destination works
 * here unchanged, and one written here works there. A pattern mirrors the event's shape: an object
 * descends into the event's object at that key; every leaf is a list of alternatives, any of which
 * may match. Alternatives are plain values (exact match) or one-key objects: `prefix`, `suffix`,
 * `equals-ignore-case`, `wildcard`, `anything-but`, `exists`, `numeric`. As in EventBridge, a leaf
 * that is not a list (`"source": "aws.rds"`, `"source": {"prefix": "aws."}`) is refused rather than
 * read as a list of one. `$or: [pattern, ...]` matches when any sub-pattern does. When the event's
 * value is a list, any element may match.
 */
export type EventPattern = Record<string, unknown>

export interface PatternProblem {
  path: (string | number)[]
  message: string
}

const OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'exists', 'numeric']
const COMPARATORS = ['<', '<=', '=', '>=', '>'] as const
const LEAF_MESSAGE =
  'a list of values or matchers, e.g. ["aws.rds"] or [{"prefix": "aws."}] (EventBridge takes no single value)'

/** Everything wrong with a pattern, each with its path; empty when it is usable. */
export function checkEventPattern(pattern: unknown, path: (string | number)[] = []): PatternProblem[] {
  if (!isObject(pattern)) return [{ path, message: 'a pattern is an object of fields' }]
  const keys = Object.keys(pattern)
  if (keys.length === 0) {
    return [{ path, message: 'an empty pattern would match every event; name at least one field' }]
  }
  const problems: PatternProblem[] = []
  for (const key of keys) {
    const value = pattern[key]
    const at = [...path, key]
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2) {
        problems.push({ path: at, message: '$or takes a list of at least two patterns' })
      } else {
        value.forEach((sub, i) => {
          problems.push(...checkEventPattern(sub, [...at, i]))
        })
      }
    } else if (isObject(value) && !isBareMatcher(value)) {
      problems.push(...checkEventPattern(value, at))
    } else if (!Array.isArray(value)) {
      problems.push({ path: at, message: LEAF_MESSAGE })
    } else {
      if (value.length === 0) problems.push({ path: at, message: 'an empty list matches nothing' })
      value.forEach((alternative, i) => {
        problems.push(...checkAlternative(alternative, [...at, i]))
      })
    }
  }
  return problems
}

function checkAlternative(alternative: unknown, path: (string | number)[]): PatternProblem[] {
  if (!isObject(alternative)) {
    return Array.isArray(alternative) ? [{ path, message: 'lists do not nest' }] : []
  }
  const keys = Object.keys(alternative)
  const [operator] = keys
  if (keys.length !== 1 || !operator || !OPERATORS.includes(operator)) {
    return [{ path, message: `a matcher is one of ${OPERATORS.join(', ')}` }]
  }
  const operand = alternative[operator]
  const problem = (message: string) => [{ path: [...path, operator], message }]
  switch (operator) {
    case 'exists':
      return typeof operand === 'boolean' ? [] : problem('exists takes true or false')
    case 'numeric':
      return checkNumeric(operand) ? [] : problem('numeric takes pairs like [">", 0, "<=", 5]')
    case 'anything-but':
      if (isObject(operand)) {
        const [inner, ...rest] = Object.keys(operand)
        return rest.length === 0 &&
          (inner === 'prefix' || inner === 'suffix') &&
          typeof operand[inner] === 'string'
          ? []
          : problem('anything-but takes a value, a list of values, or {prefix} / {suffix}')
      }
      return (Array.isArray(operand) ? operand : [operand]).every(isScalar)
        ? []
        : problem('anything-but takes a value, a list of values, or {prefix} / {suffix}')
    default:
      return typeof operand === 'string' ? [] : problem(`${operator} takes a string`)
  }
}

function checkNumeric(operand: unknown): boolean {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) return false
  for (let i = 0; i < operand.length; i += 2) {
    if (!COMPARATORS.includes(operand[i]) || typeof operand[i + 1] !== 'number') return false
  }
  return true
}

/** Whether `event` matches `pattern`. The pattern is assumed to pass `checkEventPattern`. */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  const fields = isObject(event) ? event : {}
  for (const [key, expected] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!(expected as EventPattern[]).some((sub) => matchesEventPattern(sub, fields))) return false
      continue
    }
    const actual = fields[key]
    // Single values are read as a list of one here, so a flow stored before they were refused still matches.
    if (isObject(expected) && !isBareMatcher(expected)) {
      if (!matchesEventPattern(expected, actual)) return false
      continue
    }
    const alternatives = Array.isArray(expected) ? expected : [expected]
    if (!alternatives.some((alternative) => matchesLeaf(alternative, actual))) return false
  }
  return true
}

function matchesLeaf(alternative: unknown, actual: unknown): boolean {
  if (isObject(alternative) && 'exists' in alternative) {
    return (actual !== undefined) === alternative.exists
  }
  if (actual === undefined) return false
  const values = Array.isArray(actual) ? actual : [actual]
  return values.some((value) => matchesValue(alternative, value))
}

function matchesValue(alternative: unknown, value: unknown): boolean {
  if (!isObject(alternative)) return alternative === value
  const [operator] = Object.keys(alternative)
  const operand = alternative[operator!]
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && value.startsWith(operand as string)
    case 'suffix':
      return typeof value === 'string' && value.endsWith(operand as string)
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === (operand as string).toLowerCase()
    case 'wildcard':
      return typeof value === 'string' && wildcardRegExp(operand as string).test(value)
    case 'numeric':
      return typeof value === 'number' && satisfiesNumeric(operand as unknown[], value)
    case 'anything-but':
      if (isObject(operand)) {
        if (typeof value !== 'string') return true
        return 'prefix' in operand
          ? !value.startsWith(operand.prefix as string)
          : !value.endsWith(operand.suffix as string)
      }
      return !(Array.isArray(operand) ? operand : [operand]).includes(value)
    default:
      return false
  }
}

function satisfiesNumeric(conditions: unknown[], value: number): boolean {
  for (let i = 0; i < conditions.length; i += 2) {
    const bound = conditions[i + 1] as number
    const ok =
      conditions[i] === '<'
        ? value < bound
        : conditions[i] === '<='
          ? value <= bound
          : conditions[i] === '='
            ? value === bound
            : conditions[i] === '>='
              ? value >= bound
              : value > bound
    if (!ok) return false
  }
  return true
}

const wildcards = new Map<string, RegExp>()
function wildcardRegExp(glob: string): RegExp {
  let re = wildcards.get(glob)
  if (!re) {
    const source = glob
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')
    re = new RegExp(`^${source}$`, 's')
    if (wildcards.size < 1000) wildcards.set(glob, re)
  }
  return re
}

/**
 * `{"prefix": "aws."}` where a list belongs: a matcher written without its list. An object whose one
 * key is an operator name but holds a list (`{"prefix": ["x"]}`) is a field called `prefix`.
 */
function isBareMatcher(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value)
  return keys.length === 1 && OPERATORS.includes(keys[0]!) && !Array.isArray(value[keys[0]!])
}

function isScalar(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
