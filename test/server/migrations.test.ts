import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createClient } from '@libsql/client'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { afterEach, describe, expect, it } from 'vitest'
import { flowSchema } from '../../core/flow/schema.ts'
import { chainFlow, startTestServer, type TestServer } from '../support/runtime-server.ts'

const MIGRATIONS = resolve(import.meta.dirname, '../../server/db/migrations')

const folders: string[] = []
const servers: TestServer[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

/** The migrations folder as it was when `tag` was the newest: the files, and a journal cut there. */
function migrationsUpTo(tag: string, into: string): string {
  const folder = join(into, 'migrations')
  mkdirSync(join(folder, 'meta'), { recursive: true })
  const journal = JSON.parse(readFileSync(join(MIGRATIONS, 'meta/_journal.json'), 'utf8'))
  const last = journal.entries.findIndex((entry: { tag: string }) => entry.tag === tag)
  expect(last).toBeGreaterThanOrEqual(0)
  journal.entries = journal.entries.slice(0, last + 1)
  writeFileSync(join(folder, 'meta/_journal.json'), JSON.stringify(journal))
  for (const entry of journal.entries as { tag: string }[]) {
    cpSync(join(MIGRATIONS, `${entry.tag}.sql`), join(folder, `${entry.tag}.sql`))
  }
  return folder
}

describe('migrations', () => {
  it('upgrade a database made by the previous set: stored flows get distinct generations and still run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qflow-migrate-'))
    folders.push(dir)
    const client = createClient({ url: `file:${join(dir, 'qflow.db')}` })
    await migrate(drizzle(client), {
      migrationsFolder: migrationsUpTo('0004_run_flow_row_and_request_hash', dir),
    })
    // Two flows and a finished run, written as the previous schema had them.
    for (const id of ['old-a', 'old-b']) {
      const document = JSON.stringify({ ...flowSchema.parse(chainFlow(id)), id })
      await client.execute({
        sql: `INSERT INTO flows (id, name, categories, version, node_count, document, created_at, updated_at)
              VALUES (?, ?, '[]', 1, 2, ?, 1000, 1000)`,
        args: [id, id, document],
      })
      await client.execute({
        sql: 'INSERT INTO flow_versions (flow_id, version, document, created_at) VALUES (?, 1, ?, 1000)',
        args: [id, document],
      })
    }
    await client.execute(`INSERT INTO runs (id, flow_id, flow_version, flow_created_at, status, triggered_by, created_at)
      VALUES ('old-run', 'old-a', 1, 1000, 'succeeded', 'api', 1000)`)
    client.close()

    // The server applies the rest at boot, as it would after an upgrade.
    const server = await startTestServer({ dir, runtime: { queue: { concurrency: 0 } } })
    servers.push(server)
    const rows = (await server.ctx.database.client.execute('SELECT id, generation FROM flows ORDER BY id'))
      .rows
    const generations = rows.map((row) => String(row.generation))
    expect(generations.every((generation) => /^[0-9a-f]{32}$/.test(generation))).toBe(true)
    expect(new Set(generations).size).toBe(2)
    expect((await server.call('GET', '/api/runs/old-run')).body).toMatchObject({ status: 'succeeded' })

    const run = await server.call('POST', '/api/flows/old-a/runs')
    expect(run.status).toBe(202)
    const stored = await server.ctx.database.client.execute({
      sql: 'SELECT r.flow_generation = f.generation AS same FROM runs r JOIN flows f ON f.id = r.flow_id WHERE r.id = ?',
      args: [run.body.id],
    })
    expect(Number(stored.rows[0]!.same)).toBe(1)
  })
})
