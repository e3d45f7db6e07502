import { AppError } from '../errors.ts'

/**
 * The flow version in an `If-Match` header: `3`, `"3"` or `W/"3"` (flows send their version as the
 * ETag). Undefined when the header is absent; a 400 naming the header when it is not a version.
 */
export function versionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header)
  const version = match ? Number(match[1]) : Number.NaN
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new AppError(
      400,
      'IF_MATCH_INVALID',
      `If-Match: expected a flow version such as "3", got ${JSON.stringify(header.slice(0, 40))}`,
      {
        field: 'If-Match',
      }
    )
  }
  return version
}

export const etagOf = (version: number) => `"${version}"`
