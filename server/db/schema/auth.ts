import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import type { Role } from '../../auth/roles.ts'

/**
 * API keys. Only the SHA-256 of a key is kept: the key itself is shown once, when it is created.
 * `prefix` (the first characters of the key) lets a person tell keys apart in a list.
 */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull().unique(),
    role: text('role').$type<Role>().notNull(),
    /** Null: every flow. Otherwise the only flows this key may see and run. */
    flowIds: text('flow_ids', { mode: 'json' }).$type<string[]>(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
  },
  (table) => [index('api_keys_revoked_idx').on(table.revokedAt)]
)

/**
 * Signatures already accepted, until they are too old to be accepted anyway. Kept in the database
 * so a request replayed to another server process sharing it is refused too.
 */
export const seenSignatures = sqliteTable(
  'seen_signatures',
  {
    digest: text('digest').primaryKey(),
    expiresAt: integer('expires_at').notNull(),
  },
  (table) => [index('seen_signatures_expires_idx').on(table.expiresAt)]
)
