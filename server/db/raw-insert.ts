import type { InStatement, InValue } from '@libsql/client'
import { getTableColumns, getTableName, type Table } from 'drizzle-orm'

/**
 * Hand-built multi-row inserts for the hot write path (run recording). Drizzle's query builder
 * costs more CPU than SQLite spends executing these rows, and the recorder writes thousands per
 * second; column names still come from the drizzle schema, so the two cannot drift apart.
 */
export interface RawInsert<Row> {
  /** `whereArgs` bind the `?` placeholders of `onlyWhere`, after the rows' own values. */
  statement(rows: readonly Row[], whereArgs?: readonly InValue[]): InStatement
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
    /**
     * Insert only the rows meeting this SQL condition, written with `ref(key)` for a column of the
     * row being inserted (`${ref('flowId')} = ...`): the rows go in as `SELECT ... FROM (VALUES ...)`.
     * Its `?` placeholders take the `whereArgs` given to `statement`.
     */
    onlyWhere?: (ref: (key: K) => string) => string
    /** `ON CONFLICT DO NOTHING`: a row that breaks a unique index is skipped, not an error. */
    skipConflicts?: boolean
    /** Columns of the rows actually written, returned by the statement (`RETURNING`). */
    returning?: readonly K[]
  } = {}
): RawInsert<Pick<T['$inferInsert'], K>> {
  const columns = getTableColumns(table) as Record<string, { name: string }>
  const name = (key: K) => columns[key]!.name
  const quoted = (key: K) => `"${name(key)}"`
  const json = new Set<string>(options.json ?? [])
  const into = `INSERT INTO "${getTableName(table)}" (${keys.map(quoted).join(', ')}) `
  // SQLite names the columns of a VALUES list column1, column2... in order.
  const ref = (key: K) => `"candidate"."column${keys.indexOf(key) + 1}"`
  const head = options.onlyWhere ? `${into}SELECT * FROM (VALUES ` : `${into}VALUES `
  const filter = options.onlyWhere ? `) AS "candidate" WHERE ${options.onlyWhere(ref)}` : ''
  const row = `(${keys.map(() => '?').join(', ')})`
  const sets = [
    ...(options.update ?? []).map((key) => `${quoted(key)} = excluded.${quoted(key)}`),
    ...(options.keepOld ?? []).map(
      (key) => `${quoted(key)} = coalesce(excluded.${quoted(key)}, ${quoted(key)})`
    ),
  ]
  const tail =
    filter +
    (options.conflict && sets.length > 0
      ? ` ON CONFLICT (${options.conflict.map(quoted).join(', ')}) DO UPDATE SET ${sets.join(', ')}`
      : options.skipConflicts
        ? ' ON CONFLICT DO NOTHING'
        : '') +
    (options.returning ? ` RETURNING ${options.returning.map(quoted).join(', ')}` : '')
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
    statement(rows, whereArgs = []) {
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
      args.push(...whereArgs)
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
