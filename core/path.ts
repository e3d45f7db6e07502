/**
 * Key paths into JSON resources: `Endpoint.Port`, `VpcSecurityGroups[0].VpcSecurityGroupId`,
 * `SecurityGroups[*].GroupId`, `Tags[Key=env].Value`. A key step applied to an array maps over its
 * elements, so `SecurityGroups.IpPermissions` reads every group's rules: AWS responses nest arrays
 * everywhere and users write paths the way the console shows them.
 */
export type PathStep =
  | { kind: 'key'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'each' }
  | { kind: 'match'; key: string; value: string }

export interface CompiledPath {
  source: string
  steps: PathStep[]
  /** Every value the path reaches, arrays flattened along the way. Missing values are left out. */
  all(root: unknown): unknown[]
  /** The value at the path: the single value when there is exactly one, else the list of all values. */
  get(root: unknown): unknown
  /**
   * The value with a shape that depends on the path and the data's structure, not on counts: a
   * list whenever the walk branched over an array (even when it found one value, or none), else
   * the single value or undefined. For evidence, where `SecurityGroups.IpPermissions` should be a
   * list of rules whether the resource has one rule or five.
   */
  shaped(root: unknown): unknown
  /**
   * The one value a path of plain keys reaches without meeting an array on the way (undefined
   * when absent), or `FANS_OUT` when the walk would branch (use `all`). Allocates nothing: for
   * conditions read on every resource.
   */
  one(root: unknown): unknown
}

/** What `CompiledPath.one` returns when the path reaches several values. */
export const FANS_OUT: unique symbol = Symbol('fans out')

const STEP = /([^.[\]]+)|\[([^\]]*)\]/g

export function parsePath(source: string): PathStep[] {
  const steps: PathStep[] = []
  let consumed = 0
  for (const match of source.matchAll(STEP)) {
    const between = source.slice(consumed, match.index)
    if (between !== '' && between !== '.') throw new Error(`bad key path "${source}" near "${between}"`)
    consumed = match.index + match[0].length
    if (match[1] !== undefined) {
      steps.push(match[1] === '*' ? { kind: 'each' } : { kind: 'key', name: match[1] })
      continue
    }
    const inner = (match[2] ?? '').trim()
    if (inner === '*' || inner === '') steps.push({ kind: 'each' })
    else if (/^\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) })
    else {
      const eq = inner.indexOf('=')
      if (eq <= 0)
        throw new Error(`bad key path "${source}": [${inner}] is neither an index, * nor Key=value`)
      steps.push({
        kind: 'match',
        key: inner.slice(0, eq).trim(),
        value: unquote(inner.slice(eq + 1).trim()),
      })
    }
  }
  if (source.slice(consumed) !== '' || steps.length === 0) throw new Error(`bad key path "${source}"`)
  return steps
}

function unquote(text: string): string {
  const quoted = /^(['"])(.*)\1$/.exec(text)
  return quoted ? quoted[2]! : text
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * A property the object holds itself. Paths come from users and must see the data only: on `{}`,
 * `toString`, `constructor` and `__proto__` are inherited and reach nothing.
 */
export function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined
}

// `fanned` is true once the walk has branched over an array: from then on, an array at the end of the
// path is spread into the results, so `SecurityGroups.IpPermissions` yields rules, not lists of rules.
// `trace`, when given, records whether the walk branched at all (even over an empty array).
function collect(
  value: unknown,
  steps: PathStep[],
  at: number,
  out: unknown[],
  fanned = false,
  trace?: { fanned: boolean }
): void {
  if (value === undefined) return
  if (at === steps.length) {
    if (fanned && Array.isArray(value)) out.push(...value)
    else out.push(value)
    return
  }
  const step = steps[at]!
  if (Array.isArray(value) && step.kind !== 'index' && step.kind !== 'each') {
    // A key or match step over an array applies to each element.
    if (trace) trace.fanned = true
    for (const element of value) collect(element, steps, at, out, true, trace)
    return
  }
  switch (step.kind) {
    case 'key':
      if (isRecord(value)) collect(own(value, step.name), steps, at + 1, out, fanned, trace)
      return
    case 'index':
      if (Array.isArray(value)) collect(value[step.index], steps, at + 1, out, fanned, trace)
      return
    case 'each':
      if (trace && (Array.isArray(value) || isRecord(value))) trace.fanned = true
      if (Array.isArray(value)) for (const element of value) collect(element, steps, at + 1, out, true, trace)
      else if (isRecord(value))
        for (const element of Object.values(value)) collect(element, steps, at + 1, out, true, trace)
      return
    case 'match':
      if (isRecord(value) && String(own(value, step.key)) === step.value)
        collect(value, steps, at + 1, out, fanned, trace)
      return
  }
}

function compileUncached(source: string): CompiledPath {
  const steps = parsePath(source)
  // Fast path for plain dotted keys over objects, the common case in criteria.
  const keys = steps.every((s) => s.kind === 'key')
    ? steps.map((s) => (s as { name: string }).name)
    : undefined
  const all = (root: unknown): unknown[] => {
    if (keys) {
      // Plain keys through objects only: no walk, one small array.
      let value = root
      for (const key of keys) {
        if (!isRecord(value)) {
          value = undefined
          break
        }
        value = own(value, key)
      }
      if (value !== undefined || !reachesArray(root, keys)) return value === undefined ? [] : [value]
    }
    const out: unknown[] = []
    collect(root, steps, 0, out)
    return out
  }
  const get = (root: unknown): unknown => {
    if (keys) {
      let value = root
      for (const key of keys) {
        if (!isRecord(value)) {
          if (Array.isArray(value)) return pick(all(root))
          return undefined
        }
        value = own(value, key)
      }
      return value
    }
    return pick(all(root))
  }
  const one = (root: unknown): unknown => {
    if (!keys) return FANS_OUT
    let value = root
    for (let i = 0; i < keys.length; i++) {
      if (!isRecord(value)) return Array.isArray(value) ? FANS_OUT : undefined
      value = own(value, keys[i]!)
    }
    return value
  }
  const shaped = (root: unknown): unknown => {
    // Plain keys that meet no array on the way never branch: the value as it is, no walk.
    const value = one(root)
    if (value !== FANS_OUT) return value
    const out: unknown[] = []
    const trace = { fanned: false }
    collect(root, steps, 0, out, false, trace)
    return trace.fanned ? out : out[0]
  }
  return { source, steps, all, get, shaped, one }
}

/** Whether a walk along plain keys meets an array before its end (then it fans out). */
function reachesArray(root: unknown, keys: string[]): boolean {
  let value = root
  for (const key of keys) {
    if (Array.isArray(value)) return true
    if (!isRecord(value)) return false
    value = own(value, key)
  }
  return false
}

function pick(values: unknown[]): unknown {
  if (values.length === 0) return undefined
  return values.length === 1 ? values[0] : values
}

const cache = new Map<string, CompiledPath>()

/** Parse once, reuse: flows evaluate the same few paths over many resources. */
export function compilePath(source: string): CompiledPath {
  let compiled = cache.get(source)
  if (!compiled) {
    compiled = compileUncached(source)
    if (cache.size > 10_000) cache.clear()
    cache.set(source, compiled)
  }
  return compiled
}

export function getPath(root: unknown, source: string): unknown {
  return compilePath(source).get(root)
}
