import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Client, createClient } from '@libsql/client'
import { afterEach, describe, expect, it } from 'vitest'
import { chainFlow } from '../support/runtime-server.ts'
import { http, type ServeProcess, spawnServe } from '../support/serve-process.ts'
import { readUntilClosed } from '../support/sse.ts'

const TOKEN = 'process-test-admin-token-000'
const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function tempDb() {
  const dir = mkdtempSync(join(tmpdir(), 'qflow-proc-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return `file:${join(dir, 'qflow.db')}`
}

async function serve(dbUrl: string, env: Record<string, string> = {}): Promise<ServeProcess> {
  const proc = await spawnServe({
    QFLOW_DB_URL: dbUrl,
    QFLOW_ADMIN_TOKEN: TOKEN,
    QFLOW_LEASE_MS: '1500',
    QFLOW_QUEUE_POLL_MS: '50',
    ...env,
  })
  cleanups.push(() => proc.stop())
  return proc
}

function openDb(dbUrl: string): Client {
  const client = createClient({ url: dbUrl })
  cleanups.push(() => client.close())
  return client
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() > deadline) throw new Error(`timed out; last value: ${JSON.stringify(value)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const statuses = async (db: Client) =>
  (
    await db.execute('SELECT id, status, attempts, error, lease_owner FROM runs ORDER BY created_at')
  ).rows.map((row) => ({ ...row })) as unknown as {
    id: string
    status: string
    attempts: number
    error: string | null
    lease_owner: string
  }[]

/** A response body as far as it got before the server closed the connection. */
async function readToClose(base: string, path: string): Promise<string> {
  return readUntilClosed(await fetch(base + path, { headers: { authorization: `Bearer ${TOKEN}` } }))
}

describe('the queue across real server processes', () => {
  it('a server killed with SIGKILL mid-run: after a restart every run is finished, none lost or stuck', async () => {
    const dbUrl = tempDb()
    const first = await serve(dbUrl)
    const slow = chainFlow('slow', {}, [['test-wait', { ms: 2000 }]])
    expect((await http(first.url, 'POST', '/api/flows', { token: TOKEN, body: slow })).status).toBe(201)
    const ids: string[] = []
    for (let i = 0; i < 3; i++)
      ids.push((await http(first.url, 'POST', '/api/flows/slow/runs', { token: TOKEN })).body.id)
    const db = openDb(dbUrl)
    await until(
      () => statuses(db),
      (rows) => rows.length === 3 && rows.every((row) => row.status === 'running')
    )
    await first.kill('SIGKILL')
    expect((await statuses(db)).map((row) => row.status)).toEqual(['running', 'running', 'running'])

    await serve(dbUrl)
    const rows = await until(
      () => statuses(db),
      (all) => all.every((row) => row.status === 'succeeded' || row.status === 'failed')
    )
    expect(rows.map((row) => row.id).sort()).toEqual([...ids].sort())
    // Taken up again after the dead process's lease expired, and finished on the second attempt.
    expect(rows.map((row) => [row.status, row.attempts])).toEqual([
      ['succeeded', 2],
      ['succeeded', 2],
      ['succeeded', 2],
    ])
  }, 60_000)

  it('a server stopped with SIGTERM lets short runs finish and hands long ones back to the queue', async () => {
    const dbUrl = tempDb()
    // One attempt only: a handed-back run must not be failed for having used it up.
    const env = { QFLOW_SHUTDOWN_GRACE_MS: '3000', QFLOW_RUN_ATTEMPTS: '1', QFLOW_LEASE_MS: '60000' }
    const first = await serve(dbUrl, env)
    await http(first.url, 'POST', '/api/flows', {
      token: TOKEN,
      body: chainFlow('long', {}, [['test-wait', { ms: 8000 }]]),
    })
    await http(first.url, 'POST', '/api/flows', {
      token: TOKEN,
      body: chainFlow('short', {}, [['test-wait', { ms: 200 }]]),
    })
    const long = (await http(first.url, 'POST', '/api/flows/long/runs', { token: TOKEN })).body.id
    const short = (await http(first.url, 'POST', '/api/flows/short/runs', { token: TOKEN })).body.id
    const db = openDb(dbUrl)
    await until(
      () => statuses(db),
      (rows) => rows.length === 2 && rows.every((row) => row.status === 'running')
    )
    // A client following the long run on the stopping process hears no outcome the database lacks.
    const streamed = readToClose(first.url, `/api/runs/${long}/events`)
    await first.kill('SIGTERM')
    expect(first.child.exitCode).toBe(0)
    const seen = await streamed
    expect(seen).toMatch(/^event: snapshot/m)
    expect(seen).not.toMatch(/^event: run\.finished/m)
    // ...but is told the server is going away and to reconnect, rather than left with a cut stream.
    expect(seen).toMatch(/^event: server-stopping\ndata: .*"status":"queued"/m)
    const byId = new Map((await statuses(db)).map((row) => [row.id, row]))
    expect(byId.get(short)?.status).toBe('succeeded')
    const handed = byId.get(long)!
    expect(handed).toMatchObject({ status: 'queued', attempts: 0, lease_owner: null })
    expect(JSON.parse(handed.error!)).toMatchObject({ code: 'HANDED_BACK', message: /shut down/ })
    const steps = await db.execute({
      sql: 'SELECT count(*) AS n FROM run_steps WHERE run_id = ?',
      args: [long],
    })
    expect(Number(steps.rows[0]!.n)).toBe(0)

    // The next start takes it up at once (its lease was released, not left to expire).
    const second = await serve(dbUrl, env)
    const rows = await until(
      () => statuses(db),
      (all) => all.every((row) => row.status === 'succeeded')
    )
    expect(rows.find((row) => row.id === long)).toMatchObject({ attempts: 1, error: null })
    const run = (await http(second.url, 'GET', `/api/runs/${long}`, { token: TOKEN })).body
    expect(run.steps.map((step: { status: string }) => step.status)).toEqual(['succeeded', 'succeeded'])
  }, 60_000)

  it('a run that used up its attempts is failed with the reason, never left running', async () => {
    const dbUrl = tempDb()
    const env = { QFLOW_RUN_ATTEMPTS: '1' }
    const first = await serve(dbUrl, env)
    const slow = chainFlow('slow', {}, [['test-wait', { ms: 5000 }]])
    await http(first.url, 'POST', '/api/flows', { token: TOKEN, body: slow })
    const { id } = (await http(first.url, 'POST', '/api/flows/slow/runs', { token: TOKEN })).body
    const db = openDb(dbUrl)
    await until(
      () => statuses(db),
      (rows) => rows[0]?.status === 'running'
    )
    await first.kill('SIGKILL')
    const second = await serve(dbUrl, env)
    await until(
      () => statuses(db),
      (rows) => rows[0]?.status === 'failed'
    )
    const run = (await http(second.url, 'GET', `/api/runs/${id}`, { token: TOKEN })).body
    expect(run.error.code).toBe('WORKER_LOST')
    expect(run.error.message).toMatch(/stopped .*lease expired/)
    expect(run.steps.every((step: { status: string }) => step.status !== 'running')).toBe(true)
  }, 60_000)

  it('two server processes on one database file run 200 queued runs, each exactly once', async () => {
    const dbUrl = tempDb()
    const a = await serve(dbUrl)
    const b = await serve(dbUrl)
    await http(a.url, 'POST', '/api/flows', { token: TOKEN, body: chainFlow('fast') })
    const ids: string[] = []
    for (let batch = 0; batch < 10; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          http(i % 2 === 0 ? a.url : b.url, 'POST', '/api/flows/fast/runs', { token: TOKEN })
        )
      )
      for (const answer of answers) {
        expect(answer.status).toBe(202)
        ids.push(answer.body.id)
      }
    }
    expect(new Set(ids).size).toBe(200)
    const db = openDb(dbUrl)
    const rows = await until(
      () => statuses(db),
      (all) => all.length === 200 && all.every((row) => row.status === 'succeeded')
    )
    expect(rows.every((row) => row.attempts === 1)).toBe(true)
    const owners = new Set(rows.map((row) => row.lease_owner.split(':')[1]))
    expect(owners.size).toBe(2) // both processes took part
    const steps = await db.execute('SELECT run_id, count(*) AS n FROM run_steps GROUP BY run_id')
    expect(steps.rows).toHaveLength(200)
    expect(steps.rows.every((row) => Number(row.n) === 2)).toBe(true)
  }, 90_000)

  it('1,000 concurrent run requests with idempotency keys, some repeated: one run per key, none lost', async () => {
    const dbUrl = tempDb()
    const server = await serve(dbUrl)
    await http(server.url, 'POST', '/api/flows', { token: TOKEN, body: chainFlow('fast') })
    const keys = Array.from({ length: 1000 }, (_, i) => `key-${i % 700}`) // 300 keys sent twice
    const answers = await Promise.all(
      keys.map((key) =>
        http(server.url, 'POST', '/api/flows/fast/runs', {
          token: TOKEN,
          headers: { 'idempotency-key': key },
        })
      )
    )
    expect(answers.every((answer) => answer.status === 202)).toBe(true)
    const runByKey = new Map<string, string>()
    answers.forEach((answer, i) => {
      const key = keys[i]!
      const seen = runByKey.get(key)
      if (seen) expect(answer.body.id).toBe(seen)
      else runByKey.set(key, answer.body.id)
    })
    expect(runByKey.size).toBe(700)
    expect(new Set(runByKey.values()).size).toBe(700)
    const db = openDb(dbUrl)
    const stored = await db.execute('SELECT idempotency_key, id FROM runs')
    expect(stored.rows).toHaveLength(700)
    for (const row of stored.rows) expect(runByKey.get(String(row.idempotency_key))).toBe(row.id)
  }, 90_000)
})
