import type { Client } from '@libsql/client'

/** The tables whose rows retention deletes with a run (with their indexes). */
export const RUN_TABLES = ['runs', 'run_steps', 'step_payloads'] as const

const firstValue = (result: { rows: unknown[] }) => Number(Object.values(result.rows[0] as object)[0] ?? 0)

/** Bytes of the database file in use: its pages less the free ones. Cheap (three pragmas). */
export async function usedBytes(client: Client): Promise<number> {
  const pages = firstValue(await client.execute('PRAGMA page_count'))
  const free = firstValue(await client.execute('PRAGMA freelist_count'))
  const size = firstValue(await client.execute('PRAGMA page_size'))
  return (pages - free) * size
}

/**
 * Bytes the run tables (and their indexes) take in the file, from SQLite's `dbstat` table. It
 * reads every page's header, so it is used once per retention pass, and only when the file is over
 * its cap; undefined when this SQLite has no `dbstat` (then the run tables are taken to be all).
 */
export async function runTableBytes(client: Client): Promise<number | undefined> {
  try {
    const result = await client.execute({
      sql: `SELECT coalesce(sum(d.pgsize), 0) AS bytes FROM dbstat d
            JOIN sqlite_schema s ON s.name = d.name
            WHERE s.tbl_name IN (${RUN_TABLES.map(() => '?').join(', ')})`,
      args: [...RUN_TABLES],
    })
    return firstValue(result)
  } catch {
    return undefined
  }
}
