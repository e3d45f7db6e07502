import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import type { Flow } from '../../../core/flow/schema.ts'

/** The current version of each flow. The list view reads the flat columns, never `document`. */
export const flows = sqliteTable(
  'flows',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    categories: text('categories', { mode: 'json' }).$type<string[]>().notNull(),
    deployed: integer('deployed', { mode: 'boolean' }).notNull().default(false),
    version: integer('version').notNull(),
    nodeCount: integer('node_count').notNull().default(0),
    document: text('document', { mode: 'json' }).$type<Flow>().notNull(),
    /**
     * A random token written when the row is created: with the id and version it names one stored
     * row, so a flow deleted and recreated under the same id (back at version 1, possibly within
     * the same millisecond) is never taken for the old one.
     */
    generation: text('generation').notNull().default(''),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (table) => [index('flows_name_idx').on(table.name), index('flows_updated_idx').on(table.updatedAt)]
)

/** Every saved version of every flow, the current one included, so any save can be looked at again. */
export const flowVersions = sqliteTable(
  'flow_versions',
  {
    flowId: text('flow_id').notNull(),
    version: integer('version').notNull(),
    document: text('document', { mode: 'json' }).$type<Flow>().notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.flowId, table.version] })]
)
