/**
 * The part of JSON Schema (2020-12, as zod's toJSONSchema writes it) the config forms understand,
 * and helpers to walk it. Anything else falls back to a JSON text field, so no plugin is left
 * without an editor.
 */
export interface JsonSchema {
  type?: string | string[]
  title?: string
  description?: string
  properties?: Record<string, JsonSchema>
  required?: string[]
  additionalProperties?: boolean | JsonSchema
  items?: JsonSchema
  enum?: unknown[]
  const?: unknown
  default?: unknown
  oneOf?: JsonSchema[]
  anyOf?: JsonSchema[]
  allOf?: JsonSchema[]
  $ref?: string
  $defs?: Record<string, JsonSchema>
  definitions?: Record<string, JsonSchema>
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  minLength?: number
  maxLength?: number
  minItems?: number
  maxItems?: number
  pattern?: string
  format?: string
  [key: string]: unknown
}

/** Follow `$ref`s into the root's `$defs` and merge a single-element `allOf`. */
export function resolve(schema: JsonSchema | undefined, root: JsonSchema): JsonSchema {
  let current = schema ?? {}
  for (let guard = 0; current.$ref && guard < 32; guard++) {
    const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(current.$ref)
    const target = match ? (root[match[1] as '$defs']?.[decodeURIComponent(match[2]!)] ?? {}) : {}
    const { $ref: _ref, ...rest } = current
    current = { ...target, ...rest }
  }
  if (current.allOf?.length === 1) {
    const { allOf, ...rest } = current
    current = { ...resolve(allOf[0], root), ...rest }
  }
  return current
}

export function typeOf(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null')
  if (schema.type) return schema.type
  if (schema.properties) return 'object'
  if (schema.enum) return typeof schema.enum[0]
  if (schema.const !== undefined) return typeof schema.const
  return undefined
}

export function variants(schema: JsonSchema): JsonSchema[] | undefined {
  const list = schema.oneOf ?? schema.anyOf
  return list?.filter((s) => s.type !== 'null')
}

/**
 * For a union of objects, the property whose `const` tells the options apart (`kind`, `type`, ...),
 * and each option's value for it.
 */
export function discriminator(
  options: JsonSchema[],
  root: JsonSchema
): { key: string; values: unknown[] } | null {
  const resolved = options.map((o) => resolve(o, root))
  const first = resolved[0]?.properties
  if (!first) return null
  for (const key of Object.keys(first)) {
    const values = resolved.map((o) => {
      const p = o.properties?.[key] ? resolve(o.properties[key], root) : undefined
      return p?.const ?? (p?.enum?.length === 1 ? p.enum[0] : undefined)
    })
    if (values.every((v) => v !== undefined) && new Set(values).size === values.length) return { key, values }
  }
  return null
}

/**
 * Whether a field not marked required may really be left empty. A field whose default is a value
 * (a service, an overlap policy) always has one, so calling it optional would mislead; an empty
 * default (`[]`, `{}`, `''`) means "nothing unless you choose", which is what optional says.
 */
export function mayBeLeftEmpty(schema: JsonSchema): boolean {
  const value = schema.default
  if (value === undefined || value === null || value === '') return true
  if (Array.isArray(value)) return value.length === 0
  return typeof value === 'object' && Object.keys(value).length === 0
}

/** The value a new field (or a newly chosen union option) starts with. */
export function initialValue(schema: JsonSchema, root: JsonSchema): unknown {
  const s = resolve(schema, root)
  if (s.default !== undefined) return structuredClone(s.default)
  if (s.const !== undefined) return s.const
  const options = variants(s)
  if (options?.length) return initialValue(options[0]!, root)
  switch (typeOf(s)) {
    case 'object': {
      const out: Record<string, unknown> = {}
      for (const key of s.required ?? []) {
        const prop = s.properties?.[key]
        if (prop) out[key] = initialValue(prop, root)
      }
      return out
    }
    case 'array':
      return []
    case 'boolean':
      return false
    case 'string':
      return s.enum?.length ? s.enum[0] : ''
    default:
      return undefined
  }
}

/** Problems a form can see before asking the server: missing required fields, bounds, patterns. */
export function localProblems(
  schema: JsonSchema,
  value: unknown,
  root: JsonSchema,
  path = ''
): Record<string, string> {
  const s = resolve(schema, root)
  const out: Record<string, string> = {}
  const options = variants(s)
  if (options?.length) {
    const disc = discriminator(options, root)
    const chosen =
      disc && value && typeof value === 'object'
        ? options[disc.values.indexOf((value as Record<string, unknown>)[disc.key])]
        : undefined
    return chosen ? localProblems(chosen, value, root, path) : out
  }
  const type = typeOf(s)
  if (type === 'object' && s.properties && value && typeof value === 'object') {
    const record = value as Record<string, unknown>
    for (const [key, prop] of Object.entries(s.properties)) {
      const child = path ? `${path}.${key}` : key
      const v = record[key]
      const empty =
        v === undefined ||
        v === '' ||
        (Array.isArray(v) && v.length === 0 && (resolve(prop, root).minItems ?? 0) > 0)
      if (empty && s.required?.includes(key) && resolve(prop, root).default === undefined)
        out[child] = 'Required'
      else if (v !== undefined) Object.assign(out, localProblems(prop, v, root, child))
    }
  } else if (type === 'array' && Array.isArray(value)) {
    if (s.minItems && value.length < s.minItems) out[path] = `Choose at least ${s.minItems}`
    if (s.items)
      for (const [i, item] of value.entries())
        Object.assign(out, localProblems(s.items, item, root, `${path}.${i}`))
  } else if ((type === 'number' || type === 'integer') && typeof value === 'number') {
    if (s.minimum !== undefined && value < s.minimum) out[path] = `At least ${s.minimum}`
    if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum)
      out[path] = `More than ${s.exclusiveMinimum}`
    if (s.maximum !== undefined && value > s.maximum) out[path] = `At most ${s.maximum}`
    if (type === 'integer' && !Number.isInteger(value)) out[path] = 'A whole number'
  } else if (type === 'string' && typeof value === 'string') {
    if (s.minLength && value.length < s.minLength)
      out[path] = value ? `At least ${s.minLength} characters` : 'Required'
    if (s.pattern && value && !new RegExp(s.pattern).test(value))
      out[path] = `Does not match the expected format`
  }
  return out
}
