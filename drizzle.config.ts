import { defineConfig } from 'drizzle-kit'

/** `npm run db:generate` writes a migration for schema changes; the server applies them at boot. */
export default defineConfig({
  dialect: 'turso',
  schema: './server/db/schema/index.ts',
  out: './server/db/migrations',
  dbCredentials: { url: process.env.QFLOW_DB_URL ?? 'file:./data/qflow.db' },
})
