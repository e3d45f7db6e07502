import { z } from 'zod'
import { variableNameProblem } from '../../core/flow/schema.ts'

/**
 * `variables` in a run request: overrides by variable name. Each name is checked on the object as
 * sent, before zod copies it: the copy drops a `__proto__` key without a word, so a request naming
 * it would run with the flow's own value and the caller would never know. Whether the flow declares
 * the name, and whether the value fits its type, is checked when the run is admitted.
 */
export const variableOverrides = z
  .unknown()
  .superRefine((raw, ctx) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return
    for (const name of Object.keys(raw)) {
      const problem = variableNameProblem(name)
      if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem })
    }
  })
  .pipe(z.record(z.string(), z.unknown()))
