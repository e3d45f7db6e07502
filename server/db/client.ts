import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { type Client, createClient } from '@libsql/client'
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql'
import type { DbConfig } from '../config.ts'
import * as schema from './schema/index.ts'

export type Db = LibSQLDatabase<typeof schema>

export interface Database {
  db: Db
  client: Client
  /** True for a local `file:` database (one machine; WAL). */
  isFile: boolean
  close(): void
}

/** Writers wait this long for another connection's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000

/**
 * Open the database: a local file (its folder created, WAL so readers never wait for the writer)
 * or a libSQL server by URL with an auth token.
 */
export async function openDatabase(options: DbConfig): Promise<Database> {
  const isFile = options.url.startsWith('file:')
  if (isFile) {
    const path = filePath(options.url)
    if (path) mkdirSync(dirname(path), { recursive: true })
  }
  const client = createClient({
    url: options.url,
    ...(options.authToken ? { authToken: options.authToken } : {}),
    ...(isFile
      ? {
          // SQLite's busy_timeout, applied to every connection the client opens.
          timeout: BUSY_TIMEOUT_MS,
          // One connection. Calls on a file database are synchronous under the hood, so a pool
          // buys nothing in one process, and every further connection would silently miss the
          // per-connection pragmas below (synchronous=NORMAL: an fsync per commit otherwise).
          // The catch: an interactive transaction would hold the only connection and make
          // concurrent calls fail, so write with `db.batch` (one transaction) instead.
          concurrency: 1,
        }
      : {}),
  })
  try {
    // Probe first: a wrong token or an unreachable server should say so, not fail inside a migration.
    await client.execute('SELECT 1')
  } catch (err) {
    client.close()
    throw new Error(`QFLOW_DB_URL: cannot open ${options.url}: ${(err as Error).message}`)
  }
  if (isFile) {
    // journal_mode is stored in the file, so setting it once holds for every connection.
    await client.execute('PRAGMA journal_mode = WAL')
    await client.execute(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`)
    // Per connection: see `concurrency` above.
    await client.execute(`PRAGMA synchronous = ${options.sync === 'full' ? 'FULL' : 'NORMAL'}`)
  }
  return { db: drizzle(client, { schema }), client, isFile, close: () => client.close() }
}

/** The filesystem path of a `file:` URL (`file:./x.db`, `file:/abs/x.db`, `file:///abs/x.db`). */
export function filePath(url: string): string | undefined {
  const rest = url.slice('file:'.length).split('?')[0]!
  if (rest === '' || rest === ':memory:') return undefined
  return rest.startsWith('//') ? rest.replace(/^\/\/[^/]*/, '') : rest
}
