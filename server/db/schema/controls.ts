import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

export const CONTROL_RESULTS = ['PASS', 'FAIL', 'ERROR'] as const
export type ControlResult = (typeof CONTROL_RESULTS)[number]

/**
 * What a `totalcloud-control` node concluded about each resource, one row per resource per run.
 * A resource is (account, region, resource id): ids such as `DBInstanceIdentifier` repeat across
 * regions and accounts. The latest row per (flow, node, account, region, resource id) is the
 * resource's current state; older rows are its history. A missing account or region (null) is a
 * value of its own there, matched with IS rather than `=`.
 */
export const controlResults = sqliteTable(
  'control_results',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    flowId: text('flow_id').notNull(),
    nodeId: text('node_id').notNull(),
    resourceId: text('resource_id').notNull(),
    runId: text('run_id').notNull(),
    result: text('result').$type<ControlResult>().notNull(),
    displayName: text('display_name'),
    accountId: text('account_id'),
    region: text('region'),
    evidence: text('evidence', { mode: 'json' }),
    recordedAt: integer('recorded_at').notNull(),
  },
  (table) => [
    // Resource id before account and region: a history lookup by id alone still uses the index.
    index('control_results_resource_idx').on(
      table.flowId,
      table.nodeId,
      table.resourceId,
      table.accountId,
      table.region,
      table.id
    ),
    index('control_results_run_idx').on(table.runId),
  ]
)
