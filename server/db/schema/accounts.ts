import { sqliteTable, text } from 'drizzle-orm/sqlite-core'
import type { AccountRecord, SnapshotSource, StoredCredentials } from '../../aws/account.ts'

/**
 * Cloud accounts flows run against. Static secrets live only inside `credentials.sealed`, encrypted
 * with QFLOW_SECRET_KEY; an uploaded snapshot recording is kept whole in `snapshot`.
 */
export const accounts = sqliteTable('accounts', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind', { enum: ['aws', 'snapshot'] }).notNull(),
  awsAccountId: text('aws_account_id'),
  regions: text('regions', { mode: 'json' }).$type<string[]>().notNull(),
  endpoint: text('endpoint'),
  credentials: text('credentials', { mode: 'json' }).$type<StoredCredentials>(),
  assumeRole: text('assume_role', { mode: 'json' }).$type<NonNullable<AccountRecord['assumeRole']>>(),
  snapshot: text('snapshot', { mode: 'json' }).$type<SnapshotSource>(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
})
