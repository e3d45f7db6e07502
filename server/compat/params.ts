import { z } from 'zod'
import { AppError } from '../errors.ts'
import { validationFailed } from '../parse-input.ts'
import { instantParam } from './instant.ts'

/**
 * The list parameters of the public QFlow API: `pageSize` and `pageNumber` (from 1; `offset` is
 * accepted too, as one of its samples uses it), `startAt` / `endAt` (a window on the creation
 * time, as epoch milliseconds once parsed: see `instantParam`), `order` (a field, `-` for descending) and `query` in a small subset of QQL:
 * `field: value` terms joined by `and`.
 */
export const listParams = z
  .object({
    pageSize: z.coerce.number().int().min(1).max(500).default(20),
    pageNumber: z.coerce.number().int().min(1).max(1_000_000).default(1),
    offset: z.coerce.number().int().min(0).max(1_000_000_000).optional(),
    query: z.string().max(500).optional(),
    startAt: instantParam('start').optional(),
    endAt: instantParam('end').optional(),
    order: z
      .string()
      .regex(/^-?[A-Za-z.]+$/, 'a field name, with - in front for descending')
      .optional(),
  })
  // A window that ends before it starts is a mistake, not a question whose answer is "nothing".
  .refine(
    (params) => params.startAt === undefined || params.endAt === undefined || params.endAt >= params.startAt,
    {
      path: ['endAt'],
      message: 'must not be before startAt',
    }
  )
export type ListParams = z.infer<typeof listParams>

export function pageOf(params: ListParams): { limit: number; offset: number } {
  return { limit: params.pageSize, offset: params.offset ?? (params.pageNumber - 1) * params.pageSize }
}

export function orderOf<F extends string>(
  params: ListParams,
  fields: readonly F[],
  fallback: F
): { field: F; descending: boolean } {
  if (!params.order) return { field: fallback, descending: true }
  const descending = params.order.startsWith('-')
  const field = params.order.replace(/^-/, '') as F
  if (!fields.includes(field)) {
    throw new AppError(
      400,
      'VALIDATION_FAILED',
      `order: one of ${fields.join(', ')} (prefix - for descending)`,
      {
        issues: [{ field: 'order', message: 'unknown field' }],
      }
    )
  }
  return { field, descending }
}

/** `qflow.name: Public RDS and status: Success` → `{ name: 'Public RDS', status: 'Success' }`. */
export function qqlTerms(query: string | undefined, fields: readonly string[]): Record<string, string> {
  if (!query?.trim()) return {}
  const terms: Record<string, string> = {}
  for (const part of query.split(/\s+and\s+/i)) {
    const match = /^\s*(?:qflow\.)?([A-Za-z]+)\s*:\s*(.+?)\s*$/.exec(part)
    const field = match?.[1]
    if (!match || !field || !fields.includes(field)) {
      throw new AppError(
        400,
        'VALIDATION_FAILED',
        `query: terms are "field: value" joined by "and"; fields: ${fields.join(', ')}`,
        { issues: [{ field: 'query', message: `cannot read "${part.trim()}"` }] }
      )
    }
    terms[field] = match[2]!.replace(/^"(.*)"$/, '$1')
  }
  if (terms.deployed !== undefined && terms.deployed !== 'true' && terms.deployed !== 'false') {
    throw validationFailed([
      {
        field: 'query',
        message: `deployed is true or false, not ${JSON.stringify(terms.deployed.slice(0, 60))}`,
      },
    ])
  }
  return terms
}
