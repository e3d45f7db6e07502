/**
 * Dates as they reach a criterion. AWS data arrives in several encodings depending on who wrote it:
 * the SDK gives `Date` objects, JSON from the CLI or a stored run gives ISO-8601 strings of mixed
 * precision (`2011-05-23T06:50:00Z`, `...06:06:43.110Z`, `+00:00` offsets), and recorded responses
 * (the botocore/placebo format) give `{"__class__": "datetime", "year": ..., "microsecond": ...}`.
 * All of them become epoch milliseconds here, so no criterion depends on the encoding.
 */

// A date, optionally a time with optional fraction, optionally a zone. Anchored and with bounded
// repetition, so it runs in linear time on any input.
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i

/** Epoch ms of a value in any supported date encoding, or undefined when it is not a date. */
export function toEpochMs(value: unknown): number | undefined {
  if (typeof value === 'string') return parseIsoDate(value)
  if (value instanceof Date) {
    const ms = value.getTime()
    return Number.isNaN(ms) ? undefined : ms
  }
  if (isRecordedDatetime(value)) return fromRecordedDatetime(value)
  return undefined
}

/** The recording format's envelope, `{"__class__": "datetime", ...}`, valid or not. */
export function isRecordedDatetime(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && (value as { __class__?: unknown }).__class__ === 'datetime'
  )
}

/** True when the string has the shape of an ISO date, whether or not the date is valid. */
export function looksLikeIsoDate(text: string): boolean {
  return text.length >= 10 && text.length <= 40 && ISO_DATE.test(text.trim())
}

function parseIsoDate(text: string): number | undefined {
  if (text.length < 10 || text.length > 40) return undefined
  const match = ISO_DATE.exec(text.trim())
  if (!match) return undefined
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone] = match
  const ms = fraction === '' ? 0 : Math.floor(Number(`0.${fraction}`) * 1000)
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms)
  if (!validParts(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), base)) return undefined
  // A time without a zone is read as UTC: AWS timestamps are UTC, and the host's zone must not
  // change a verdict.
  return base - zoneOffsetMs(zone)
}

function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0
  const sign = zone.startsWith('-') ? -1 : 1
  const digits = zone.slice(1).replace(':', '')
  const hours = Number(digits.slice(0, 2))
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0
  return sign * (hours * 60 + minutes) * 60_000
}

function fromRecordedDatetime(value: Record<string, unknown>): number | undefined {
  const part = (name: string, fallback: number) => {
    const v = value[name]
    return v === undefined ? fallback : typeof v === 'number' && Number.isInteger(v) ? v : Number.NaN
  }
  const y = part('year', Number.NaN)
  const mo = part('month', Number.NaN)
  const d = part('day', Number.NaN)
  const h = part('hour', 0)
  const mi = part('minute', 0)
  const s = part('second', 0)
  const micro = part('microsecond', 0)
  const base = Date.UTC(y, mo - 1, d, h, mi, s, Math.floor(micro / 1000))
  return validParts(y, mo, d, h, mi, s, base) ? base : undefined
}

/** Rejects NaN parts and dates `Date.UTC` silently rolled over (Feb 30 -> Mar 2). */
function validParts(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): boolean {
  if (!Number.isFinite(ms) || h > 23 || mi > 59 || s > 60) return false
  const date = new Date(ms)
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d
}
