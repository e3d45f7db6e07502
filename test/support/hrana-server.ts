import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import Database from 'libsql'

/**
 * A small libSQL server speaking the Hrana 2 protocol over HTTP (`POST /v2/pipeline`), backed by
 * a database file. There is no sqld binary to be had on these machines, and the point is to prove
 * that qflow runs unchanged against a `http://`/`libsql://` URL with an auth token, through the
 * real @libsql/client remote driver: so this implements the protocol the driver speaks, with the
 * statement semantics left to the libSQL engine itself.
 */

type HranaValue =
  | { type: 'null' }
  | { type: 'integer'; value: string }
  | { type: 'float'; value: number }
  | { type: 'text'; value: string }
  | { type: 'blob'; base64: string }

interface HranaStmt {
  sql?: string
  sql_id?: number
  args?: HranaValue[]
  named_args?: { name: string; value: HranaValue }[]
  want_rows?: boolean
}

type BatchCond =
  | { type: 'ok' | 'error'; step: number }
  | { type: 'not'; cond: BatchCond }
  | { type: 'and' | 'or'; conds: BatchCond[] }
  | { type: 'is_autocommit' }

interface Stream {
  db: Database.Database
  sqls: Map<number, string>
}

function toJs(value: HranaValue): unknown {
  switch (value.type) {
    case 'null':
      return null
    case 'integer':
      return BigInt(value.value)
    case 'float':
      return value.value
    case 'text':
      return value.value
    case 'blob':
      return Buffer.from(value.base64, 'base64')
  }
}

function toHrana(value: unknown): HranaValue {
  if (value === null || value === undefined) return { type: 'null' }
  if (typeof value === 'bigint') return { type: 'integer', value: value.toString() }
  if (typeof value === 'number') return { type: 'float', value }
  if (typeof value === 'string') return { type: 'text', value }
  if (Buffer.isBuffer(value)) return { type: 'blob', base64: value.toString('base64') }
  return { type: 'text', value: String(value) }
}

function execute(stream: Stream, stmt: HranaStmt) {
  const sql = stmt.sql ?? stream.sqls.get(stmt.sql_id ?? -1)
  if (sql === undefined) throw new Error(`unknown sql_id ${stmt.sql_id}`)
  const prepared = stream.db.prepare(sql)
  const named = Object.fromEntries(
    (stmt.named_args ?? []).map((arg) => [arg.name.replace(/^[:@$]/, ''), toJs(arg.value)])
  )
  const args: unknown[] = (stmt.args ?? []).map(toJs)
  const params = stmt.named_args?.length ? [named] : args
  if (prepared.reader) {
    const columns = prepared.columns()
    const rows = (
      prepared
        .raw(true)
        .safeIntegers(true)
        .all(...params) as unknown[][]
    ).map((row) => row.map(toHrana))
    return {
      cols: columns.map((column) => ({ name: column.name, decltype: column.type ?? null })),
      rows,
      affected_row_count: 0,
      last_insert_rowid: null,
    }
  }
  const info = prepared.run(...params)
  return {
    cols: [],
    rows: [],
    affected_row_count: info.changes,
    last_insert_rowid: String(info.lastInsertRowid),
  }
}

function holds(cond: BatchCond | undefined, stream: Stream, results: unknown[], errors: unknown[]): boolean {
  if (!cond) return true
  switch (cond.type) {
    case 'ok':
      return results[cond.step] != null
    case 'error':
      return errors[cond.step] != null
    case 'not':
      return !holds(cond.cond, stream, results, errors)
    case 'and':
      return cond.conds.every((c) => holds(c, stream, results, errors))
    case 'or':
      return cond.conds.some((c) => holds(c, stream, results, errors))
    case 'is_autocommit':
      return !stream.db.inTransaction
  }
}

function handle(stream: Stream, request: any): unknown {
  switch (request.type) {
    case 'execute':
      return { type: 'execute', result: execute(stream, request.stmt) }
    case 'batch': {
      const results: unknown[] = []
      const errors: unknown[] = []
      for (const step of request.batch.steps as { condition?: BatchCond; stmt: HranaStmt }[]) {
        if (!holds(step.condition, stream, results, errors)) {
          results.push(null)
          errors.push(null)
          continue
        }
        try {
          results.push(execute(stream, step.stmt))
          errors.push(null)
        } catch (err) {
          results.push(null)
          errors.push({ message: (err as Error).message })
        }
      }
      return { type: 'batch', result: { step_results: results, step_errors: errors } }
    }
    case 'sequence':
      stream.db.exec(request.sql ?? stream.sqls.get(request.sql_id))
      return { type: 'sequence' }
    case 'store_sql':
      stream.sqls.set(request.sql_id, request.sql)
      return { type: 'store_sql' }
    case 'close_sql':
      stream.sqls.delete(request.sql_id)
      return { type: 'close_sql' }
    case 'get_autocommit':
      return { type: 'get_autocommit', is_autocommit: !stream.db.inTransaction }
    case 'close':
      return { type: 'close' }
    default:
      throw new Error(`request type ${request.type} is not supported`)
  }
}

export interface HranaServer {
  url: string
  close(): Promise<void>
}

/** Serve `path` on a free loopback port; requests must carry `Authorization: Bearer <token>`. */
export async function startHranaServer(path: string, token: string): Promise<HranaServer> {
  const streams = new Map<string, Stream>()
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (req.headers.authorization !== `Bearer ${token}`)
      return reply(401, { message: 'Unauthorized: the token was not accepted' })
    if (req.method === 'GET') return reply(req.url === '/v2' ? 200 : 404, {})
    if (req.method !== 'POST' || req.url !== '/v2/pipeline') return reply(404, { message: 'not found' })
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      let baton: string | null = body.baton
      let stream = baton ? streams.get(baton) : undefined
      if (baton && !stream) return reply(400, { message: 'unknown baton' })
      if (baton) streams.delete(baton)
      if (!stream) {
        const db = new Database(path)
        db.pragma('busy_timeout = 5000')
        stream = { db, sqls: new Map() }
      }
      const results = (body.requests as any[]).map((request) => {
        try {
          return { type: 'ok', response: handle(stream!, request) }
        } catch (err) {
          return { type: 'error', error: { message: (err as Error).message } }
        }
      })
      const closed = (body.requests as any[]).some((request) => request.type === 'close')
      if (closed) {
        stream.db.close()
        baton = null
      } else {
        baton = randomUUID()
        streams.set(baton, stream)
      }
      reply(200, { baton, base_url: null, results })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const stream of streams.values()) stream.db.close()
        server.close(() => resolve())
      }),
  }
}
