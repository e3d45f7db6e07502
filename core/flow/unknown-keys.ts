import type { z } from 'zod'

/**
 * Unknown keys in a node's config, told one by one with the key they probably meant. A strict
 * config schema reports unknown keys as one zod issue on the object holding them, which says
 * neither which field is wrong nor what was meant; a typo such as `timeZone` for `timezone` would
 * otherwise read as "unrecognized key" on the whole config, or (with a lenient schema) be dropped
 * silently and the default used instead.
 */

/** The keys a schema accepts at `path` of `input`, or undefined when the schema there is no object. */
export function knownKeysAt(
  schema: z.ZodType,
  path: readonly PropertyKey[],
  input: unknown
): string[] | undefined {
  return walk(schema as unknown as Walkable, path, input, 0)
}

interface Walkable {
  _zod: { def: Record<string, any> & { type: string } }
}

/** Wrappers whose inner schema decides the keys. */
const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional'])
/** Deep enough for any config; a guard against self-referencing (lazy) schemas. */
const MAX_DEPTH = 64

function walk(
  schema: Walkable,
  path: readonly PropertyKey[],
  input: unknown,
  depth: number
): string[] | undefined {
  if (depth > MAX_DEPTH) return undefined
  const def = schema._zod.def
  const next = (inner: Walkable, rest = path, value = input) => walk(inner, rest, value, depth + 1)
  if (WRAPPERS.has(def.type)) return next(def.innerType)
  switch (def.type) {
    case 'lazy':
      return next(def.getter())
    case 'pipe':
      // A preprocess is a transform feeding the schema; a `.transform()` is the schema feeding one.
      return next(def.in._zod.def.type === 'transform' ? def.out : def.in)
    case 'object': {
      if (path.length === 0) return Object.keys(def.shape)
      const [key, ...rest] = path
      const child = def.shape[key as string] ?? def.catchall
      return child ? next(child, rest, field(input, key!)) : undefined
    }
    case 'array':
    case 'record':
      return path.length === 0
        ? undefined
        : next(def.element ?? def.valueType, path.slice(1), field(input, path[0]!))
    case 'union':
      return unionKeys(def, (option) => next(option))
    case 'intersection':
      return merge([next(def.left), next(def.right)])
    default:
      return undefined
  }

  /** The option the input's discriminator picks; without one (or no match), every option's keys. */
  function unionKeys(def: Record<string, any>, keysOf: (option: Walkable) => string[] | undefined) {
    const options = def.options as Walkable[]
    if (def.discriminator !== undefined) {
      const tag = field(input, def.discriminator)
      const picked = options.find((option) => discriminatorValues(option, def.discriminator).includes(tag))
      if (picked) return keysOf(picked)
    }
    return merge(options.map(keysOf))
  }
}

function discriminatorValues(option: Walkable, discriminator: string): unknown[] {
  const shape = option._zod.def.shape as Record<string, Walkable> | undefined
  const values = shape?.[discriminator]?._zod.def.values
  return Array.isArray(values) ? values : []
}

function merge(lists: (string[] | undefined)[]): string[] | undefined {
  const present = lists.filter((list): list is string[] => list !== undefined)
  return present.length === 0 ? undefined : [...new Set(present.flat())]
}

function field(value: unknown, key: PropertyKey): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<PropertyKey, unknown>)[key]
    : undefined
}

/**
 * The known key a mistyped one most likely meant: the same letters in another case (`timeZone`),
 * else the closest within a small edit distance (`paramz`), else none.
 */
export function closestKey(unknown: string, known: readonly string[]): string | undefined {
  const lower = unknown.toLowerCase()
  const sameLetters = known.find((key) => key.toLowerCase() === lower)
  if (sameLetters) return sameLetters
  const allowed = unknown.length <= 4 ? 1 : 2
  let best: { key: string; distance: number } | undefined
  for (const key of known) {
    const distance = editDistance(lower, key.toLowerCase())
    if (distance <= allowed && (!best || distance < best.distance)) best = { key, distance }
  }
  return best?.key
}

/** Levenshtein distance: inserts, deletes and substitutions, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution)
    }
    previous = current
  }
  return previous[b.length]!
}

/** The message for one unknown key: what was probably meant, else what is accepted there. */
export function unknownKeyMessage(key: string, known: readonly string[] | undefined): string {
  if (!known || known.length === 0) return 'unknown field'
  const meant = closestKey(key, known)
  return meant ? `unknown field; did you mean \`${meant}\`?` : `unknown field (known: ${known.join(', ')})`
}

/**
 * One zod issue as field-level lines: an unknown-keys issue (which zod raises once, on the object
 * holding the keys) becomes one line per key, naming the key and the known one it likely meant.
 */
export function issueLines(
  schema: z.ZodType,
  input: unknown,
  issue: z.core.$ZodIssue
): { path: PropertyKey[]; message: string }[] {
  if (issue.code !== 'unrecognized_keys') return [{ path: issue.path, message: issue.message }]
  const known = knownKeysAt(schema, issue.path, input)
  return issue.keys.map((key) => ({ path: [...issue.path, key], message: unknownKeyMessage(key, known) }))
}
