import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import type { Item } from '../../../core/plugin/types.ts'
import type { RunStatus, StepError, StepStatus } from '../../../core/run/events.ts'
import type { OverlapPolicy } from '../../../plugins/trigger/config.ts'

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
    /** The flow row's `generation`: see `flows.generation`. */
    flowGeneration: text('flow_generation'),
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
    /** The durable queue (server/queue): claims so far, and the current claim's holder and expiry. */
    attempts: integer('attempts').notNull().default(0),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: integer('lease_expires_at'),
    /** `Idempotency-Key` of the request (or a trigger's dedupe key): one run per key and flow. */
    idempotencyKey: text('idempotency_key'),
    /** Hash of the normalised request body sent with the key: the same key with another body is refused. */
    requestHash: text('request_hash'),
    /** What to do when the flow is already running, from its trigger: parallel, skip or queue. */
    overlap: text('overlap').$type<OverlapPolicy>().notNull().default('parallel'),
  },
  (table) => [
    index('runs_flow_created_idx').on(table.flowId, table.createdAt),
    index('runs_status_idx').on(table.status, table.createdAt),
    index('runs_flow_status_idx').on(table.flowId, table.status),
    uniqueIndex('runs_idempotency_idx').on(table.flowId, table.idempotencyKey),
    // At most one queued-or-running run per flow whose policy is `skip`: a second insert conflicts.
    uniqueIndex('runs_one_active_when_skip_idx')
      .on(table.flowId)
      .where(sql`overlap = 'skip' AND status IN ('queued', 'running')`),
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
