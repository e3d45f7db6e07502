import { z } from 'zod'
import { keyPathSchema } from '../../core/criteria/schema.ts'
import { criteriaField } from '../shared/criteria-node.ts'

export const controlConfig = z.strictObject({
  /** What makes a resource fail (by default; see onMatch). */
  criteria: criteriaField,
  /** Key path of the resource id in each item. The AWS Resource node sets `_qflow.resourceId`. */
  resourceIdKey: keyPathSchema.default('_qflow.resourceId'),
  /** Key path of a human-readable name (`DBName`); the resource id when absent. */
  displayNameKey: keyPathSchema.optional(),
  /** Further key paths copied into each result's evidence (`PubliclyAccessible`, `SecurityGroups.IpPermissions`). */
  evidenceKeys: z.array(keyPathSchema).max(100).default([]),
  /**
   * What a resource matching the criteria gets. FAIL (the default) when the criteria describe the
   * bad state, as in "publicly accessible"; PASS when they describe the compliant state.
   */
  onMatch: z.enum(['FAIL', 'PASS']).default('FAIL'),
})
export type ControlConfig = z.infer<typeof controlConfig>
