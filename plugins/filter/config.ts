import { z } from 'zod'
import { criteriaField } from '../shared/criteria-node.ts'

export const filterConfig = z.strictObject({
  criteria: criteriaField,
  /**
   * Where resources go whose criteria are unknown (e.g. an undescribed security group).
   * `unmatched` by default, so an action after `matched` never acts on a guess.
   */
  unknownTo: z.enum(['unmatched', 'matched']).default('unmatched'),
})
export type FilterConfig = z.infer<typeof filterConfig>
