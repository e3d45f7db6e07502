/** Time-zone facts the schedules need, from the platform's IANA database (Intl). */

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    })
    formatters.set(timeZone, formatter)
  }
  return formatter
}

export function isTimeZone(value: string): boolean {
  try {
    formatterFor(value)
    return true
  } catch {
    return false
  }
}

/** Days since 1970-01-01 of the calendar date `instant` falls on in `timeZone`. */
export function localDayNumber(instant: Date, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(instant)
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value)
  return Math.round(Date.UTC(part('year'), part('month') - 1, part('day')) / 86_400_000)
}

/** Weeks since the Monday 1969-12-29 of the local date, so "every 2 weeks" has a fixed phase. */
export function localWeekNumber(instant: Date, timeZone: string): number {
  return Math.floor((localDayNumber(instant, timeZone) + 3) / 7)
}
