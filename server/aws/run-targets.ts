import { z } from 'zod'
import { AppError } from '../errors.ts'
import type { AccountRepo } from '../repos/accounts.ts'
import { REGION } from './account.ts'

/** Run-request `regions`: checked by shape here, so a typo is a 400 rather than a run that lists nothing. */
// An empty list would read as "no override" and quietly run the flow's whole binding: refuse it.
const EMPTY_OVERRIDE = "name at least one, or leave it out to use the flow's own"

export const runRegions = z
  .array(z.string().max(64).regex(REGION, 'a region looks like us-east-1'))
  .min(1, EMPTY_OVERRIDE)
  .max(64)

export const runAccounts = z.array(z.string().min(1).max(128)).min(1, EMPTY_OVERRIDE).max(500)

/**
 * Every account a run request names must exist when the request is made: an unknown id would
 * otherwise be accepted, queued, and only fail (or be skipped) once the run is under way.
 * `field` is what the caller sent, e.g. `accounts` or `variables.connectorId`.
 */
export async function requireKnownAccounts(
  repo: Pick<AccountRepo, 'get'>,
  ids: readonly string[] | undefined,
  field = 'accounts'
): Promise<void> {
  if (!ids || ids.length === 0) return
  const unique = [...new Set(ids)]
  const found = await Promise.all(unique.map((id) => repo.get(id)))
  const missing = unique.filter((_, index) => !found[index])
  if (missing.length === 0) return
  const index = ids.indexOf(missing[0]!)
  throw new AppError(
    400,
    'VALIDATION_FAILED',
    `${field}.${index}: no account with id "${missing[0]}"${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}`,
    {
      issues: missing.map((id) => ({
        field: `${field}.${ids.indexOf(id)}`,
        message: `no account with id "${id}"`,
      })),
    }
  )
}

/** The same region check for values that arrive outside a schema (qflowapi `region` variables). */
export function requireRegionNames(regions: readonly string[] | undefined, field = 'regions'): void {
  const index = regions?.findIndex((region) => !REGION.test(region)) ?? -1
  if (index < 0) return
  throw new AppError(400, 'VALIDATION_FAILED', `${field}.${index}: a region looks like us-east-1`, {
    issues: [{ field: `${field}.${index}`, message: 'a region looks like us-east-1' }],
  })
}
