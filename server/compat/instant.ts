import { z } from 'zod'

const isoDate = z.iso.date()
const isoDateTime = z.iso.datetime({ offset: true })
const localDateTime = z.iso.datetime({ local: true })
const DAY_MS = 86_400_000

const EXPECTED =
  'expected an ISO date (2026-01-31), an ISO date and time with its zone (2026-01-31T12:00:00Z), ' +
  'epoch milliseconds (13 digits) or epoch seconds (10 digits)'

/**
 * A `startAt` / `endAt` bound as epoch milliseconds. The public QFlow API names these parameters
 * but its notes give no format, and its records carry epoch milliseconds, so scripts may send
 * either; besides ISO 8601 we take epoch numbers whose length leaves no doubt: 13 digits are
 * milliseconds, 10 are seconds (both span 2001 to 2286). A date without a time is the start of that
 * UTC day for `startAt` and its last millisecond for `endAt`, so `endAt=2026-01-31` includes the
 * 31st. A date and time must carry its zone: the server's own zone is not something a script can
 * rely on, so a time without one is refused rather than guessed.
 */
export function instantParam(bound: 'start' | 'end') {
  return z.string().transform((raw, ctx) => {
    const text = raw.trim()
    if (/^\d{13}$/.test(text)) return Number(text)
    if (/^\d{10}$/.test(text)) return Number(text) * 1000
    if (isoDate.safeParse(text).success) {
      const day = Date.parse(`${text}T00:00:00Z`)
      return bound === 'start' ? day : day + DAY_MS - 1
    }
    if (isoDateTime.safeParse(text).success) return Date.parse(text)
    const message = localDateTime.safeParse(text).success
      ? 'add the time zone, e.g. 2026-01-31T12:00:00Z or 2026-01-31T12:00:00+01:00'
      : `${EXPECTED}, got ${JSON.stringify(raw.slice(0, 60))}`
    ctx.addIssue({ code: 'custom', message })
    return z.NEVER
  })
}
