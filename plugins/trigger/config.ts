import { z } from 'zod'

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const

/** How a flow starts. Manual is the default, as in the product: every flow can be run by hand. */
const triggerKinds = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('manual') }),
  z.object({
    kind: z.literal('recurrent'),
    every: z.number().int().positive().max(10_000),
    unit: z.enum(['minutes', 'hours', 'days', 'weeks']),
    /** For weekly schedules: the days to fire on. */
    days: z.array(z.enum(WEEKDAYS)).default([]),
    /** `HH:MM` for daily and weekly schedules. */
    at: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'at is HH:MM, 24-hour')
      .optional(),
    timezone: z.string().default('UTC'),
  }),
  z.object({
    kind: z.literal('cron'),
    expression: z.string().min(9).max(200),
    timezone: z.string().default('UTC'),
  }),
  z.object({ kind: z.literal('totalcloud') }),
  z.object({
    kind: z.literal('event'),
    /** An EventBridge-style pattern on `source`, `detail-type` and `detail` fields. */
    pattern: z.record(z.string(), z.unknown()).default({}),
  }),
])

/** A config without `kind` is a manual trigger, so a new flow's trigger needs no configuring. */
export const triggerConfig = z.preprocess(
  (value) =>
    value && typeof value === 'object' && !('kind' in value) ? { ...value, kind: 'manual' } : value,
  triggerKinds
)
export type TriggerConfig = z.infer<typeof triggerKinds>
