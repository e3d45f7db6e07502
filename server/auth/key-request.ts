import { z } from 'zod'
import { SAFE_ID, SAFE_ID_RULE } from '../../core/flow/schema.ts'
import { CONTROL_CHARACTER } from '../../core/flow/text-rules.ts'
import { ROLES } from './roles.ts'

/** What a new API key is made from, by the API and by `qflow keys create` alike. */
export const keyRequest = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, 'name the key after who uses it')
    .max(200)
    // The name is how people tell keys apart in `qflow keys list` and the API; a NUL or an escape
    // sequence would cut it short or repaint the terminal listing it.
    .refine((name) => !CONTROL_CHARACTER.test(name), 'a key name cannot contain control characters'),
  role: z.enum(ROLES),
  /**
   * Limit the key to these flows; absent means every flow. An empty list is refused rather than
   * read as "every flow": a caller who sends one almost certainly meant "none", the opposite. Each
   * is a possible flow id, so a typo such as "../x" is refused rather than kept as a dead limit.
   */
  flowIds: z
    .array(z.string().regex(SAFE_ID, `a flow id is ${SAFE_ID_RULE}`))
    .min(1, 'omit it for all flows, or name at least one flow')
    .max(1000)
    .optional(),
})
export type KeyRequest = z.infer<typeof keyRequest>
