import type { Env, MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { parseInput, validationFailed } from '../parse-input.ts'

/** `?limit=&offset=` for every list endpoint. */
export const pageQuery = z.object({
  // The range first, and alone when it fails: `int()` also checks for a safe integer, which for a
  // huge value gave a second, different limit beside ours.
  limit: z.coerce.number().min(1).max(500, { abort: true }).int().default(50),
  offset: z.coerce.number().min(0).max(1_000_000_000, { abort: true }).int().default(0),
})

/**
 * `?name=true` or `?name=false`, read as a boolean (undefined when absent). Only those two words:
 * a misspelt `?force=yes` is refused rather than quietly taken as false.
 */
export const trueOrFalse = z
  .enum(['true', 'false'])
  .optional()
  .transform((value) => (value === undefined ? undefined : value === 'true'))

/**
 * `?status=a,b` or `?status=a&status=b`: a list of allowed values. A value outside the list is an
 * issue on the parameter itself (`status: ...`), not on a position in a list the caller never wrote.
 */
export function listOf<const T extends readonly [string, ...string[]]>(values: T) {
  const schema = z
    .union([z.string(), z.array(z.string())])
    .transform((raw, ctx) => {
      const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((part) => part.split(',')).filter(Boolean)
      const unknown = parts.find((part) => !(values as readonly string[]).includes(part))
      if (unknown !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `expected one of ${values.join(', ')}, got ${JSON.stringify(unknown.slice(0, 60))}`,
        })
        return z.NEVER
      }
      return parts as T[number][]
    })
    .optional()
  repeatable.add(schema)
  return schema
}

/** Parameters that may be given more than once (`listOf`); any other, given twice, is refused. */
const repeatable = new WeakSet<z.ZodType>()

/**
 * The query string with repeated names kept as arrays. Read from the URL itself: any name is kept
 * as sent, even `__proto__`, which a plain object built by assignment would swallow unseen.
 */
function queryOf(c: { req: { url: string } }): Record<string, string | string[]> {
  const grouped = new Map<string, string[]>()
  for (const [name, value] of new URL(c.req.url).searchParams) {
    grouped.set(name, [...(grouped.get(name) ?? []), value])
  }
  return Object.fromEntries(
    [...grouped].map(([name, values]) => [name, values.length === 1 ? values[0]! : values])
  )
}

/**
 * A route's query string, checked: a name the route does not take is a 400 naming it and listing
 * the names the route does take (a misspelt `?limt=5` would otherwise quietly mean the default),
 * then the values go through the schema. `ignored` names are taken and not read: the public QFlow
 * API's documented parameters that qflow does not implement (see compat/query-params.ts).
 */
function parseQuery<S extends z.ZodObject>(
  c: { req: { url: string } },
  schema: S,
  ignored: readonly string[] = []
): z.infer<S> {
  const query = queryOf(c)
  const accepted = [...new Set([...Object.keys(schema.shape), ...ignored])]
  const unknown = Object.keys(query).filter((name) => !accepted.includes(name))
  if (unknown.length > 0) {
    const takes = accepted.length > 0 ? `this route takes ${accepted.join(', ')}` : 'this route takes none'
    const issues = unknown.map((name) => ({
      field: name === '' ? '(a parameter without a name)' : name,
      message: `unknown query parameter; ${takes}`,
    }))
    throw validationFailed(issues, { accepted })
  }
  // A repeated single-valued parameter is named as such; the schema would only say the array it
  // became is not a number (or not a string).
  const repeated = Object.entries(query)
    .filter(([name, value]) => Array.isArray(value) && Object.hasOwn(schema.shape, name))
    .filter(([name]) => !repeatable.has(schema.shape[name] as z.ZodType))
    .map(([name, value]) => ({
      field: name,
      message: `given more than once (${value.length} times); give it once`,
    }))
  if (repeated.length > 0) throw validationFailed(repeated)
  return parseInput(schema, query, 'query')
}

/**
 * Route middleware, the one way a route reads its query string:
 * `.get('/flows', acceptsQuery(listQuery), (c) => c.req.valid('query'))`. Every API route has it,
 * `noQuery` where it takes no parameters, so an unknown name is refused before the route does
 * anything.
 */
export function acceptsQuery<S extends z.ZodObject>(
  schema: S,
  ignored: readonly string[] = []
): MiddlewareHandler<
  Env,
  string,
  { in: { query: Record<string, string | string[]> }; out: { query: z.infer<S> } }
> {
  return async (c, next) => {
    c.req.addValidatedData('query', parseQuery(c, schema, ignored))
    await next()
  }
}

export const noQuery = acceptsQuery(z.object({}))
