import { z } from 'zod'
import { paramsSchema } from '../shared/params.ts'
import { actionSpec, actions } from './catalogue.ts'

const services = [...new Set(actions.map((action) => action.service))] as [string, ...string[]]

/**
 * The node's config. `params` is merged over the action's default mapping; a `null` removes a
 * default. Dry run is on unless switched off: a new action node records what it would do and
 * touches nothing.
 */
export const actionConfig = z
  .strictObject({
    service: z.enum(services).default('rds').describe('AWS service'),
    action: z.string().min(1).default('ModifyDBInstance').describe('What to do, e.g. ModifyDBInstance'),
    params: z
      .record(z.string(), z.unknown())
      .default({})
      .describe('Call parameters; obj.<path> reads the incoming resource, $wf.variables.<name> a variable'),
    dryRun: z.boolean().default(true).describe('Record the calls it would make, send none'),
    waitForCompletion: z
      .boolean()
      .default(false)
      .describe('Wait with the SDK waiter until the change is done'),
    waitTimeoutSeconds: z.number().int().min(10).max(3600).default(900),
    waitPollSeconds: z.number().int().min(1).max(300).default(15),
    changeLimit: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(25)
      .describe(
        'A run that would make more distinct changes than this stops before making any; a call several resources share (one security group) counts once'
      ),
  })
  .superRefine((config, check) => {
    const spec = actionSpec(`${config.service}.${config.action}`)
    if (!spec) {
      const offered = actions.filter((a) => a.service === config.service).map((a) => a.operation)
      check.addIssue({
        code: 'custom',
        path: ['action'],
        message: `${config.service} has no action "${config.action}"; pick one of: ${offered.join(', ')}`,
      })
      return
    }
    const params = mergedParams(spec.defaults, config.params)
    const parsed = paramsSchema(spec.params, { expressions: true, call: spec.operation }).safeParse(params)
    if (!parsed.success)
      for (const issue of parsed.error.issues)
        check.addIssue({
          code: 'custom',
          path: ['params', ...issue.path.map(String)],
          message: issue.message,
        })
    if (!spec.plan)
      for (const name of spec.required)
        if (params[name] === undefined)
          check.addIssue({
            code: 'custom',
            path: ['params', name],
            message: `${spec.operation} needs ${name}`,
          })
    if (config.waitForCompletion && !spec.waiter)
      check.addIssue({
        code: 'custom',
        path: ['waitForCompletion'],
        message: `${spec.operation} has no SDK waiter, so it cannot wait for completion`,
      })
  })

export type ActionConfig = z.infer<typeof actionConfig>

export function mergedParams(
  defaults: Record<string, unknown>,
  given: Record<string, unknown>
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...defaults }
  for (const [key, value] of Object.entries(given)) {
    if (value === null) delete out[key]
    else out[key] = value
  }
  return out
}
