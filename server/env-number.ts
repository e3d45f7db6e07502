import { z } from 'zod'

/**
 * A whole-number environment setting. Its error says what the setting is in words (`a whole
 * number of megabytes (0 = no cap)`) and quotes what was given, where zod's own would say
 * "expected number, received NaN" for `abc` or "expected int, received number" for `1.5`.
 */
export interface WholeNumberSetting {
  /** What it counts, plural: `megabytes`, `ms`, `runs`. */
  unit: string
  /** The whole phrase, where `a whole number of <unit>` reads badly (`a port number`). */
  noun?: string
  min: number
  /** None: any whole number from `min` up, which the message then always names (`at least 1`). */
  max?: number
  fallback: number
  /** What a special value means, e.g. `0 = no cap`. */
  note?: string
}

/** A TCP port, as `PORT` and `QFLOW_PROTECTED_PORTS` take it. */
export const PORT_NUMBER = { unit: 'port', noun: 'a port number', min: 0, max: 65_535 } as const

/** Marks an issue whose message already quotes the value (see `parseEnv`). */
export const QUOTES_VALUE = 'quotesValue'

export function wholeNumber(setting: WholeNumberSetting) {
  return (
    z
      .unknown()
      // Optional, so an unset variable reaches the transform (and gets the fallback) instead of failing.
      .optional()
      .transform((raw, ctx) => {
        if (raw === undefined || raw === '') return setting.fallback
        const value = readWholeNumber(raw, setting)
        return typeof value === 'number' ? value : quotedIssue(ctx, value.problem)
      })
  )
}

/** A comma-separated list of whole numbers (empty when unset); the message quotes the bad one. */
export function wholeNumbers(setting: Omit<WholeNumberSetting, 'fallback'>) {
  return z
    .unknown()
    .optional()
    .transform((raw, ctx) => {
      const values: number[] = []
      for (const part of String(raw ?? '').split(',')) {
        if (part.trim() === '') continue
        const value = readWholeNumber(part, setting)
        if (typeof value !== 'number') return quotedIssue(ctx, value.problem)
        values.push(value)
      }
      return values
    })
}

/** Records an issue whose message quotes the value itself (`got "x"`). */
export function quotedIssue(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: 'custom', message, params: { [QUOTES_VALUE]: true } })
  return z.NEVER
}

function readWholeNumber(
  raw: unknown,
  setting: Omit<WholeNumberSetting, 'fallback'>
): number | { problem: string } {
  const max = setting.max ?? Number.MAX_SAFE_INTEGER
  const text = String(raw).trim()
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN
  if (Number.isSafeInteger(value) && value >= setting.min && value <= max) return value
  // Without a top, the bottom is short enough to say every time: "a whole number" alone reads as if 0 would do.
  const noun = `${setting.noun ?? `a whole number of ${setting.unit}`}${setting.max === undefined ? `, at least ${setting.min}` : ''}`
  const wanted =
    Number.isSafeInteger(value) && setting.max !== undefined
      ? `${noun} from ${setting.min} to ${setting.max}`
      : noun
  const note = setting.note ? ` (${setting.note})` : ''
  return { problem: `${wanted}${note}, got ${JSON.stringify(raw)}` }
}
