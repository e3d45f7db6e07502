import { Cron } from 'croner'
import type { ScheduleConfig, TriggerConfig, Weekday } from './config.ts'
import { WEEKDAYS } from './config.ts'
import { localDayNumber, localWeekNumber } from './timezone.ts'

/** When a schedule fires next, strictly after `after` (epoch ms); null when it never fires again. */
export interface Schedule {
  next(after: number): number | null
}

export function isSchedule(config: TriggerConfig): config is ScheduleConfig {
  return config.kind === 'recurrent' || config.kind === 'cron'
}

/**
 * A schedule as a pure function of time, so it needs no stored state: after a restart the next
 * fire is computed from the clock alone. Wall-clock maths and daylight-saving gaps are croner's:
 * each schedule becomes one or more cron patterns in the flow's time zone, plus a day or week
 * filter for "every N days/weeks", which cron cannot say.
 */
export function compileSchedule(config: ScheduleConfig): Schedule {
  if (config.kind === 'cron') return fromPatterns([config.expression], config.timezone)
  const [hour, minute] = (config.at ?? '00:00').split(':').map(Number) as [number, number]
  const { every, timezone } = config
  switch (config.unit) {
    case 'minutes':
      return fromPatterns(minutePatterns(every), timezone)
    case 'hours': {
      const hours = range(24).filter((h) => (((h - hour) % every) + every) % every === 0)
      return fromPatterns([`${minute} ${hours.join(',')} * * *`], timezone)
    }
    case 'days':
      return filtered(
        fromPatterns([`${minute} ${hour} * * *`], timezone),
        (at) => localDayNumber(at, timezone) % every === 0
      )
    case 'weeks': {
      const days: Weekday[] = config.days.length > 0 ? config.days : ['mon']
      const weekdays = [...new Set(days.map((day) => WEEKDAYS.indexOf(day)))].sort()
      return filtered(
        fromPatterns([`${minute} ${hour} * * ${weekdays.join(',')}`], timezone),
        (at) => localWeekNumber(at, timezone) % every === 0
      )
    }
  }
}

/**
 * Minutes of the day that are multiples of `every`, as patterns that group the hours sharing the
 * same minute list (one pattern when `every` divides 60, at most 24 otherwise).
 */
function minutePatterns(every: number): string[] {
  const hoursByMinutes = new Map<string, number[]>()
  for (const hour of range(24)) {
    const minutes = range(60).filter((minute) => (hour * 60 + minute) % every === 0)
    if (minutes.length === 0) continue
    const key = minutes.join(',')
    hoursByMinutes.set(key, [...(hoursByMinutes.get(key) ?? []), hour])
  }
  return [...hoursByMinutes].map(([minutes, hours]) =>
    hours.length === 24 ? `${minutes} * * * *` : `${minutes} ${hours.join(',')} * * *`
  )
}

function fromPatterns(patterns: string[], timezone: string): Schedule {
  const crons = patterns.map((pattern) => new Cron(pattern, { timezone, paused: true }))
  return {
    next(after) {
      let best: number | null = null
      for (const cron of crons) {
        const at = cron.nextRun(new Date(after))?.getTime() ?? null
        if (at !== null && (best === null || at < best)) best = at
      }
      return best
    },
  }
}

/** The first fire of `base` that `keep` accepts; gives up after two years of candidates. */
function filtered(base: Schedule, keep: (at: Date) => boolean): Schedule {
  return {
    next(after) {
      let cursor = after
      for (let tries = 0; tries < 800; tries++) {
        const at = base.next(cursor)
        if (at === null) return null
        if (keep(new Date(at))) return at
        cursor = at
      }
      return null
    },
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}
