import { describe, expect, it } from 'vitest'
import { type ScheduleConfig, triggerConfig } from '../../../plugins/trigger/config.ts'
import { compileSchedule } from '../../../plugins/trigger/schedule.ts'

const schedule = (config: Record<string, unknown>) =>
  compileSchedule(triggerConfig.parse(config) as ScheduleConfig)

/** The next `count` fire instants after `from`, as ISO strings. */
function fires(config: Record<string, unknown>, from: string, count: number): string[] {
  const compiled = schedule(config)
  const out: string[] = []
  let after = Date.parse(from)
  for (let i = 0; i < count; i++) {
    const at = compiled.next(after)
    if (at === null) break
    out.push(new Date(at).toISOString())
    after = at
  }
  return out
}

describe('recurrent schedules', () => {
  it('every 15 minutes fires on the quarter hours, strictly after the given instant', () => {
    expect(fires({ kind: 'recurrent', every: 15, unit: 'minutes' }, '2026-05-01T10:00:00Z', 3)).toEqual([
      '2026-05-01T10:15:00.000Z',
      '2026-05-01T10:30:00.000Z',
      '2026-05-01T10:45:00.000Z',
    ])
  })

  it('every 7 minutes counts minutes from local midnight, so the day restarts the grid', () => {
    const list = fires({ kind: 'recurrent', every: 7, unit: 'minutes' }, '2026-05-01T23:50:00Z', 3)
    expect(list).toEqual(['2026-05-01T23:55:00.000Z', '2026-05-02T00:00:00.000Z', '2026-05-02T00:07:00.000Z'])
  })

  it('every 6 hours steps through the day from `at` in the flow time zone', () => {
    const list = fires(
      { kind: 'recurrent', every: 6, unit: 'hours', at: '08:30', timezone: 'Asia/Kolkata' },
      '2026-05-01T00:00:00Z',
      4
    )
    // 02:30, 08:30, 14:30, 20:30 in Kolkata (UTC+5:30) are 21:00, 03:00, 09:00, 15:00 UTC.
    expect(list).toEqual([
      '2026-05-01T03:00:00.000Z',
      '2026-05-01T09:00:00.000Z',
      '2026-05-01T15:00:00.000Z',
      '2026-05-01T21:00:00.000Z',
    ])
  })

  it('every 3 days at a time keeps a fixed phase counted from 1970-01-01', () => {
    const list = fires(
      { kind: 'recurrent', every: 3, unit: 'days', at: '06:00', timezone: 'UTC' },
      '2026-05-01T00:00:00Z',
      3
    )
    const days = list.map((iso) => Date.parse(iso) / 86_400_000)
    expect(days.map((d) => Math.floor(d) % 3)).toEqual([0, 0, 0])
    expect(days[1]! - days[0]!).toBe(3)
    expect(list.every((iso) => iso.endsWith('T06:00:00.000Z'))).toBe(true)
  })

  it('weekly on chosen days fires on those days at the local time', () => {
    const list = fires(
      {
        kind: 'recurrent',
        every: 1,
        unit: 'weeks',
        days: ['mon', 'thu'],
        at: '09:00',
        timezone: 'America/New_York',
      },
      '2026-05-01T00:00:00Z', // a Friday
      3
    )
    expect(list).toEqual([
      '2026-05-04T13:00:00.000Z', // Monday 09:00 EDT
      '2026-05-07T13:00:00.000Z', // Thursday
      '2026-05-11T13:00:00.000Z',
    ])
  })

  it('every 2 weeks skips alternate weeks', () => {
    const list = fires(
      { kind: 'recurrent', every: 2, unit: 'weeks', days: ['wed'] },
      '2026-05-01T00:00:00Z',
      3
    )
    const gaps = list.slice(1).map((iso, i) => (Date.parse(iso) - Date.parse(list[i]!)) / 86_400_000)
    expect(gaps).toEqual([14, 14])
  })

  it('a daily schedule keeps local time across a daylight-saving change', () => {
    const list = fires(
      { kind: 'recurrent', every: 1, unit: 'days', at: '09:00', timezone: 'Europe/Berlin' },
      '2026-03-28T00:00:00Z',
      2
    )
    // CET (UTC+1) on the 28th, CEST (UTC+2) from the 29th.
    expect(list).toEqual(['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z'])
  })
})

describe('cron schedules', () => {
  it('reads the expression in its time zone', () => {
    expect(
      fires({ kind: 'cron', expression: '30 9 * * 1-5', timezone: 'Asia/Tokyo' }, '2026-05-01T01:00:00Z', 2)
    ).toEqual(['2026-05-04T00:30:00.000Z', '2026-05-05T00:30:00.000Z'])
  })

  it('moves a wall-clock time that does not exist on the spring-forward day', () => {
    const [first] = fires(
      { kind: 'cron', expression: '30 2 * * *', timezone: 'Europe/Berlin' },
      '2026-03-28T12:00:00Z',
      1
    )
    // 02:30 does not happen in Berlin on 29 March 2026; croner fires at 03:00 CEST = 01:00 UTC.
    expect(first).toBe('2026-03-29T01:00:00.000Z')
  })
})

describe('trigger config', () => {
  const issues = (config: unknown) => {
    const parsed = triggerConfig.safeParse(config)
    return parsed.success
      ? []
      : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
  }

  it('defaults to manual', () => {
    expect(triggerConfig.parse({})).toEqual({ kind: 'manual', overlap: 'parallel' })
  })

  it('names the field that is wrong', () => {
    expect(issues({ kind: 'cron', expression: 'every day at nine' })).toEqual([
      expect.stringMatching(/^expression: not a valid cron expression/),
    ])
    // One mistake, one message: no length complaint beside it.
    for (const expression of ['x', '@daily', '* * * *'])
      expect(issues({ kind: 'cron', expression })).toEqual([
        'expression: not a valid cron expression: five fields (minute hour day month weekday) or six with seconds first, e.g. "0 6 * * 1-5"',
      ])
    expect(issues({ kind: 'recurrent', every: 30, unit: 'hours' })).toEqual([
      expect.stringMatching(/^every: too large for its unit/),
    ])
    expect(issues({ kind: 'recurrent', every: 1, unit: 'days', timezone: 'Mars/Olympus' })).toEqual([
      expect.stringMatching(/^timezone: not a known IANA time zone/),
    ])
    expect(issues({ kind: 'recurrent', every: 1, unit: 'days', at: '25:00' })).toEqual([
      expect.stringMatching(/^at: at is HH:MM/),
    ])
    expect(issues({ kind: 'event', pattern: {} })).toEqual([
      expect.stringMatching(/^pattern: an empty pattern/),
    ])
    expect(issues({ kind: 'event', pattern: { source: 'not-a-list' } })).toEqual([
      expect.stringMatching(/^pattern\.source: a list of values or matchers/),
    ])
    expect(issues({ kind: 'event', pattern: { detail: { size: [{ numeric: ['>', 'x'] }] } } })).toEqual([
      'pattern.detail.size.0.numeric: numeric takes pairs like [">", 0, "<=", 5]',
    ])
  })
})
