import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import type { Item } from '../../../core/plugin/types.ts'
import type { RunStatus, StepError, StepStatus } from '../../../core/run/events.ts'

/** A bounded sample of a step's items per port, for list and inspector views. */
export interface ItemsPreview {
  ports: Record<string, Item[]>
  /** True when items were left out to stay within the preview bounds. */
  truncated: boolean
}

/** One row per run. Inputs are small (what the caller sent); outputs live in the step tables. */
export const runs = sqliteTable(
  'runs',
  {
    id: text('id').primaryKey(),
    flowId: text('flow_id').notNull(),
    flowVersion: integer('flow_version').notNull(),
    status: text('status').$type<RunStatus>().notNull(),
    /** Who started it: `api`, `cli`, later `schedule`, `totalcloud`... */
    triggeredBy: text('triggered_by').notNull(),
    input: text('input', { mode: 'json' }),
    variables: text('variables', { mode: 'json' }).$type<Record<string, unknown>>(),
    accounts: text('accounts', { mode: 'json' }).$type<string[]>(),
    regions: text('regions', { mode: 'json' }).$type<string[]>(),
    until: text('until'),
    error: text('error', { mode: 'json' }).$type<StepError>(),
    createdAt: integer('created_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
  },
  (table) => [
    index('runs_flow_created_idx').on(table.flowId, table.createdAt),
    index('runs_status_idx').on(table.status),
  ]
)

/** One row per node of a run: what the list and inspector views need, without the payloads. */
export const runSteps = sqliteTable(
  'run_steps',
  {
    runId: text('run_id').notNull(),
    nodeId: text('node_id').notNull(),
    nodeType: text('node_type').notNull(),
    /** Place in the run's execution order, so steps list in the order they were planned. */
    position: integer('position').notNull(),
    status: text('status').$type<StepStatus>().notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
    error: text('error', { mode: 'json' }).$type<StepError>(),
    warning: text('warning', { mode: 'json' }).$type<StepError>(),
    inputCount: integer('input_count').notNull().default(0),
    outputCount: integer('output_count').notNull().default(0),
    outputCounts: text('output_counts', { mode: 'json' }).$type<Record<string, number>>(),
    inputPreview: text('input_preview', { mode: 'json' }).$type<ItemsPreview>(),
    outputPreview: text('output_preview', { mode: 'json' }).$type<ItemsPreview>(),
  },
  (table) => [primaryKey({ columns: [table.runId, table.nodeId] })]
)

/**
 * The full items a step received and produced, as JSON text. Kept apart from `run_steps` so listing
 * runs or steps never reads them; fetched only when someone asks for a step's output.
 */
export const stepPayloads = sqliteTable(
  'step_payloads',
  {
    runId: text('run_id').notNull(),
    nodeId: text('node_id').notNull(),
    input: text('input'),
    output: text('output'),
  },
  (table) => [primaryKey({ columns: [table.runId, table.nodeId] })]
)
