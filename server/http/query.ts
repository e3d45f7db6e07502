import { z } from 'zod'

/** `?limit=&offset=` for every list endpoint. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
})

/**
 * `?status=a,b` or `?status=a&status=b`: a list of allowed values. A value outside the list is an
 * issue on the parameter itself (`status: ...`), not on a position in a list the caller never wrote.
 */
export function listOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z
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
}

/** The query string with repeated keys kept as arrays. */
export function queryOf(c: {
  req: { queries(): Record<string, string[]> }
}): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [key, values] of Object.entries(c.req.queries())) {
    out[key] = values.length === 1 ? values[0]! : values
  }
  return out
}
