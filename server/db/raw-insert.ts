import type { InStatement, InValue } from '@libsql/client'
import { getTableColumns, getTableName, type Table } from 'drizzle-orm'

/**
 * Hand-built multi-row inserts for the hot write path (run recording). Drizzle's query builder
 * costs more CPU than SQLite spends executing these rows, and the recorder writes thousands per
 * second; column names still come from the drizzle schema, so the two cannot drift apart.
 */
export interface RawInsert<Row> {
  statement(rows: readonly Row[]): InStatement
}

export function rawInsert<T extends Table, K extends keyof T['$inferInsert'] & string>(
  table: T,
  keys: readonly K[],
  options: {
    /** Columns of the conflict target (the primary key), for an upsert. */
    conflict?: readonly K[]
    /** On conflict, each listed column takes the new value, or keeps the old one when the new is null. */
    update?: readonly K[]
    keepOld?: readonly K[]
    /** Columns stored as JSON text. */
    json?: readonly K[]
  } = {}
): RawInsert<Pick<T['$inferInsert'], K>> {
  const columns = getTableColumns(table) as Record<string, { name: string }>
  const name = (key: K) => columns[key]!.name
  const quoted = (key: K) => `"${name(key)}"`
  const json = new Set<string>(options.json ?? [])
  const head = `INSERT INTO "${getTableName(table)}" (${keys.map(quoted).join(', ')}) VALUES `
  const row = `(${keys.map(() => '?').join(', ')})`
  const sets = [
    ...(options.update ?? []).map((key) => `${quoted(key)} = excluded.${quoted(key)}`),
    ...(options.keepOld ?? []).map(
      (key) => `${quoted(key)} = coalesce(excluded.${quoted(key)}, ${quoted(key)})`
    ),
  ]
  const tail =
    options.conflict && sets.length > 0
      ? ` ON CONFLICT (${options.conflict.map(quoted).join(', ')}) DO UPDATE SET ${sets.join(', ')}`
      : ''
  const sqlByCount = new Map<number, string>()
  const sqlFor = (count: number) => {
    let sql = sqlByCount.get(count)
    if (!sql) {
      sql = head + Array.from({ length: count }, () => row).join(', ') + tail
      if (sqlByCount.size < 64) sqlByCount.set(count, sql)
    }
    return sql
  }
  return {
    statement(rows) {
      const args: InValue[] = []
      for (const value of rows) {
        for (const key of keys) {
          const cell = (value as Record<string, unknown>)[key]
          args.push(
            cell === undefined || cell === null
              ? null
              : json.has(key)
                ? JSON.stringify(cell)
                : typeof cell === 'boolean'
                  ? Number(cell)
                  : (cell as InValue)
          )
        }
      }
      return { sql: sqlFor(rows.length), args }
    },
  }
}

/** `UPDATE table SET <given columns> WHERE <key> = ?`, for patches whose columns vary. */
export function rawUpdate<T extends Table, K extends keyof T['$inferInsert'] & string>(
  table: T,
  key: K,
  options: { json?: readonly (keyof T['$inferInsert'] & string)[] } = {}
) {
  const columns = getTableColumns(table) as Record<string, { name: string }>
  const json = new Set<string>(options.json ?? [])
  const tableName = getTableName(table)
  return {
    statement(id: InValue, patch: Partial<T['$inferInsert']>): InStatement {
      const sets: string[] = []
      const args: InValue[] = []
      for (const [field, value] of Object.entries(patch)) {
        if (value === undefined) continue
        sets.push(`"${columns[field]!.name}" = ?`)
        args.push(value === null ? null : json.has(field) ? JSON.stringify(value) : (value as InValue))
      }
      args.push(id)
      return { sql: `UPDATE "${tableName}" SET ${sets.join(', ')} WHERE "${columns[key]!.name}" = ?`, args }
    },
  }
}
