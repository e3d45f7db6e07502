import { z } from 'zod'
import { paramsSchema } from '../shared/params.ts'
import { resourceMethod, resourceMethods } from './catalogue.ts'

const services = [...new Set(resourceMethods.map((method) => method.service))] as [string, ...string[]]

/**
 * The node's config: which call (service + method), its extra parameters, the addons, and
 * optionally its own accounts and regions (empty = the flow's binding, the usual case).
 */
export const resourceConfig = z
  .strictObject({
    service: z.enum(services).default('rds').describe('AWS service'),
    method: z.string().min(1).default('DBInstances').describe('What to list, e.g. DB Instances'),
    params: z
      .record(z.string(), z.unknown())
      .default({})
      .describe('Extra request parameters of the describe call (its filters), e.g. {Filters: [...]}'),
    addons: z.array(z.string().min(1)).max(10).default([]).describe('Related resources to attach'),
    accounts: z.array(z.string().min(1)).max(500).default([]).describe('Accounts; empty = the flow accounts'),
    regions: z.array(z.string().min(1)).max(64).default([]).describe('Regions; empty = the flow regions'),
  })
  .superRefine((config, check) => {
    const method = resourceMethod(`${config.service}.${config.method}`)
    if (!method) {
      const offered = resourceMethods
        .filter((m) => m.service === config.service)
        .map((m) => m.id.split('.')[1])
      check.addIssue({
        code: 'custom',
        path: ['method'],
        message: `${config.service} has no method "${config.method}"; pick one of: ${offered.join(', ')}`,
      })
      return
    }
    const params = paramsSchema(method.params, { call: method.operation }).safeParse(config.params)
    if (!params.success)
      for (const issue of params.error.issues)
        check.addIssue({
          code: 'custom',
          path: ['params', ...issue.path.map(String)],
          message: issue.message,
        })
    const addons = method.addons ?? []
    const offered = addons.map((addon) => addon.key)
    config.addons.forEach((key, index) => {
      const addon = addons.find((a) => a.key === key)
      if (!addon)
        check.addIssue({
          code: 'custom',
          path: ['addons', index],
          message: `"${key}" is not an addon of ${method.serviceLabel} ${method.label}; it offers: ${offered.join(', ') || 'none'}`,
        })
      // Not added silently: the output would carry resources nobody asked for.
      else if (addon.after && !config.addons.includes(addon.after)) {
        const needed = addons.find((a) => a.key === addon.after)
        check.addIssue({
          code: 'custom',
          path: ['addons', index],
          message: `"${key}" needs the "${addon.after}" addon too: ${addon.label} are read from the ${needed?.label ?? addon.after} it attaches`,
        })
      }
    })
  })

export type ResourceConfig = z.infer<typeof resourceConfig>
