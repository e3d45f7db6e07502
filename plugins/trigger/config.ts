import { Cron } from 'croner'
import { z } from 'zod'
import { checkEventPattern } from './event-pattern.ts'
import { isTimeZone } from './timezone.ts'

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const
export type Weekday = (typeof WEEKDAYS)[number]

/** The largest `every` that still means something, per unit (see `schedule.ts` for the semantics). */
export const MAX_EVERY = { minutes: 1440, hours: 24, days: 366, weeks: 52 } as const

/**
 * When a run of the flow is already queued or running: start another alongside it (`parallel`),
 * drop the new one (`skip`), or hold it until the running one is done (`queue`).
 */
export const OVERLAP_POLICIES = ['parallel', 'skip', 'queue'] as const
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number]
const overlap = z.enum(OVERLAP_POLICIES).default('parallel')

const timezone = z
  .string()
  .default('UTC')
  .refine(isTimeZone, { message: 'not a known IANA time zone (e.g. Europe/Berlin, UTC)' })

const manual = z.strictObject({ kind: z.literal('manual'), overlap })

/**
 * Every N minutes / hours / days / weeks, in wall-clock time of `timezone`. Minutes count from
 * local midnight; hours step through the day from `at`; days and weeks count from 1970-01-01 so the
 * phase is fixed (a restart never shifts it) and fire at `at`.
 */
const recurrent = z
  .strictObject({
    kind: z.literal('recurrent'),
    overlap,
    every: z.number().int().positive().max(1440),
    unit: z.enum(['minutes', 'hours', 'days', 'weeks']),
    /** Weekly schedules: the days to fire on (Monday when none are given). */
    days: z.array(z.enum(WEEKDAYS)).max(7).default([]),
    /** `HH:MM`, 24-hour, local to `timezone`; midnight when absent. Ignored for minutes. */
    at: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'at is HH:MM, 24-hour')
      .optional(),
    timezone,
  })
  .refine((config) => config.every <= MAX_EVERY[config.unit], {
    path: ['every'],
    message: 'too large for its unit (at most 1440 minutes, 24 hours, 366 days or 52 weeks)',
  })

const cron = z.strictObject({
  kind: z.literal('cron'),
  overlap,
  /** Five fields (minute hour day month weekday) or six with seconds first. */
  expression: z
    .string()
    .trim()
    .max(200, 'at most 200 characters')
    // One check, one message: a length limit beside it would add a second message for the same mistake.
    .refine(isCronExpression, {
      message:
        'not a valid cron expression: five fields (minute hour day month weekday) or six with seconds first, e.g. "0 6 * * 1-5"',
    }),
  timezone,
})

/** Started by a TotalCloud / CSPM connector over REST (signed or with an API key). */
const totalcloud = z
  .strictObject({ kind: z.literal('totalcloud'), overlap })
  // The editor names a kind after its value; this one is a product name with its own capitals.
  .meta({ title: 'TotalCloud' })

const event = z.strictObject({
  kind: z.literal('event'),
  overlap,
  /** An EventBridge-style pattern on `source`, `detail-type` and `detail` fields. */
  pattern: z.record(z.string(), z.unknown()).superRefine((pattern, ctx) => {
    for (const problem of checkEventPattern(pattern)) {
      ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message })
    }
  }),
})

const triggerKinds = z.discriminatedUnion('kind', [manual, recurrent, cron, totalcloud, event])

/** A config without `kind` is a manual trigger, so a new flow's trigger needs no configuring. */
export const triggerConfig = z.preprocess(
  (value) =>
    value && typeof value === 'object' && !('kind' in value) ? { ...value, kind: 'manual' } : value,
  triggerKinds
)
export type TriggerConfig = z.infer<typeof triggerKinds>
export type ScheduleConfig = Extract<TriggerConfig, { kind: 'recurrent' | 'cron' }>
export type TriggerKind = TriggerConfig['kind']

/** Kinds the server arms only while the flow is deployed. Manual runs need no arming. */
export const SCHEDULED_KINDS: readonly TriggerKind[] = ['recurrent', 'cron']

function isCronExpression(expression: string): boolean {
  // croner also takes nicknames (`@daily`); the editor and the docs promise five or six fields.
  const fields = expression.split(/\s+/).length
  if (fields < 5 || fields > 6) return false
  try {
    new Cron(expression, { paused: true })
    return true
  } catch {
    return false
  }
}
