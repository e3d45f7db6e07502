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
  max: number
  fallback: number
  /** What a special value means, e.g. `0 = no cap`. */
  note?: string
}

/** Marks an issue whose message already quotes the value (see `loadConfig`). */
export const QUOTES_VALUE = 'quotesValue'

export function wholeNumber(setting: WholeNumberSetting) {
  const note = setting.note ? ` (${setting.note})` : ''
  const noun = setting.noun ?? `a whole number of ${setting.unit}`
  return (
    z
      .unknown()
      // Optional, so an unset variable reaches the transform (and gets the fallback) instead of failing.
      .optional()
      .transform((raw, ctx) => {
        if (raw === undefined || raw === '') return setting.fallback
        const text = String(raw).trim()
        const value = /^\d+$/.test(text) ? Number(text) : Number.NaN
        if (Number.isSafeInteger(value) && value >= setting.min && value <= setting.max) return value
        const wanted = Number.isSafeInteger(value) ? `${noun} from ${setting.min} to ${setting.max}` : noun
        ctx.addIssue({
          code: 'custom',
          message: `${wanted}${note}, got ${JSON.stringify(raw)}`,
          params: { [QUOTES_VALUE]: true },
        })
        return z.NEVER
      })
  )
}
