import { fileURLToPath } from 'node:url'
import { migrate } from 'drizzle-orm/libsql/migrator'
import type { Database } from './client.ts'

const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url))
/** Where drizzle's migrator records the migrations it applied. */
const JOURNAL_TABLE = '__drizzle_migrations'

/**
 * Apply the committed migrations that the database has not seen yet. Safe to run at every boot.
 * Returns how many were applied now (0: it was up to date).
 */
export async function migrateDatabase(database: Database): Promise<number> {
  const before = await appliedCount(database)
  await migrate(database.db, { migrationsFolder: MIGRATIONS_FOLDER })
  return (await appliedCount(database)) - before
}

async function appliedCount(database: Database): Promise<number> {
  const table = await database.client.execute({
    sql: "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?",
    args: [JOURNAL_TABLE],
  })
  if (table.rows.length === 0) return 0
  const result = await database.client.execute(`SELECT count(*) AS n FROM "${JOURNAL_TABLE}"`)
  return Number(result.rows[0]?.n ?? 0)
}
