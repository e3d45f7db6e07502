import { z } from 'zod'
import { quotedIssue } from './env-number.ts'

const ON = ['1', 'true']
const OFF = ['', '0', 'false']

/**
 * An on/off environment setting: `1` or `true` turns it on; unset, empty, `0` or `false` leave it
 * off. Anything else is refused rather than guessed at (is `yes please` on?), in the words the
 * whole-number settings use: `1 or 0 (true or false), got "yes please"`.
 */
export function envFlag() {
  return z
    .unknown()
    .optional()
    .transform((raw, ctx) => {
      const text = String(raw ?? '')
        .trim()
        .toLowerCase()
      if (ON.includes(text)) return true
      if (OFF.includes(text)) return false
      return quotedIssue(ctx, `1 or 0 (true or false), got ${JSON.stringify(raw)}`)
    })
}
