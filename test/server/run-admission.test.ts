import { afterEach, describe, expect, it } from 'vitest'
import { newRunId } from '../../server/runs/run-id.ts'
import { FakeClock } from '../support/fake-clock.ts'
import { chainFlow, startTestServer, type TestServer } from '../support/runtime-server.ts'

const servers: TestServer[] = []
afterEach(async () => {
  // The second process shares the first one's folder; the first removes it, so it closes last.
  for (const server of servers.splice(0).reverse()) await server.close()
})

/**
 * Two server processes (contexts) on one database file, executing nothing: runs stay queued. With
 * a clock, both read time from it (a stopped clock makes every save fall in the same millisecond).
 */
async function twoProcesses(clock?: FakeClock): Promise<[TestServer, TestServer]> {
  const services = clock ? { services: { clock } } : {}
  const here = await startTestServer({ runtime: { queue: { concurrency: 0 } }, ...services })
  servers.push(here)
  const other = await startTestServer({ dir: here.dir, runtime: { queue: { concurrency: 0 } }, ...services })
  servers.push(other)
  return [here, other]
}

async function runsOf(server: TestServer, flowId: string) {
  return (
    await server.ctx.database.client.execute({
      sql: 'SELECT id, flow_version FROM runs WHERE flow_id = ? ORDER BY created_at',
      args: [flowId],
    })
  ).rows.map((row) => ({ id: String(row.id), flowVersion: Number(row.flow_version) }))
}

/**
 * `runner` caches flow f1 by running it; `editor` deletes it and creates it again (back at version
 * 1), invalid after valid and valid after invalid: each run request must be judged on the new row.
 * The servers' clock is stopped, so the old and the new row have the same creation time.
 */
async function expectRecreatedFlowJudgedAfresh(runner: TestServer, editor: TestServer) {
  const valid = chainFlow('f1')
  const invalid = chainFlow('f1', {}, [['no-such-type', {}]])
  const recreate = async (body: unknown) => {
    const before = await editor.call('GET', '/api/flows/f1')
    expect((await editor.call('DELETE', '/api/flows/f1')).status).toBe(204)
    const created = await editor.call('POST', '/api/flows', { body })
    expect(created.status).toBe(201)
    expect(created.body.version).toBe(1)
    expect(created.body.createdAt).toBe(before.body.createdAt)
  }
  expect((await editor.call('POST', '/api/flows', { body: valid })).status).toBe(201)
  expect((await runner.call('POST', '/api/flows/f1/runs')).status).toBe(202)

  await recreate(invalid)
  const refused = await runner.call('POST', '/api/flows/f1/runs')
  expect(refused.status).toBe(400)
  expect(refused.body.error.code).toBe('FLOW_INVALID')
  expect(await runsOf(runner, 'f1')).toEqual([])

  await recreate(valid)
  const accepted = await runner.call('POST', '/api/flows/f1/runs')
  expect(accepted.status).toBe(202)
  expect(await runsOf(runner, 'f1')).toEqual([{ id: accepted.body.id, flowVersion: 1 }])
  const stored = await runner.ctx.database.client.execute({
    sql: 'SELECT r.flow_generation = f.generation AS same FROM runs r JOIN flows f ON f.id = r.flow_id WHERE r.id = ?',
    args: [accepted.body.id],
  })
  expect(Number(stored.rows[0]!.same)).toBe(1)
}

describe('run admission against a flow saved elsewhere', () => {
  it('stores each run against the version current when it commits, not the one this process cached', async () => {
    const [here, other] = await twoProcesses()
    expect((await here.call('POST', '/api/flows', { body: chainFlow('f1') })).status).toBe(201)
    const first = await here.call('POST', '/api/flows/f1/runs')
    expect(first.status).toBe(202)
    expect(first.body.flowVersion).toBe(1)

    const saved = await other.call('PUT', '/api/flows/f1', {
      body: chainFlow('f1', {}, [['test-add', { step: 5 }]]),
      headers: { 'if-match': '1' },
    })
    expect(saved.status).toBe(200)
    const second = await here.call('POST', '/api/flows/f1/runs')
    expect(second.status).toBe(202)
    expect(second.body.flowVersion).toBe(2)
    expect(await runsOf(here, 'f1')).toEqual([
      { id: first.body.id, flowVersion: 1 },
      { id: second.body.id, flowVersion: 2 },
    ])
  })

  it('a flow switched from overlap skip to parallel, here or elsewhere, runs beside its active run', async () => {
    const [here, other] = await twoProcesses()
    await here.call('POST', '/api/flows', { body: chainFlow('f1', { kind: 'manual', overlap: 'skip' }) })
    const first = await here.call('POST', '/api/flows/f1/runs')
    expect(first.status).toBe(202)
    // Both processes now hold the `skip` copy, and see the first run (queued) as going.
    expect((await other.call('POST', '/api/flows/f1/runs')).body.error.code).toBe('RUN_SKIPPED')
    expect((await here.call('POST', '/api/flows/f1/runs')).body.error.code).toBe('RUN_SKIPPED')

    const saved = await other.call('PUT', '/api/flows/f1', {
      body: chainFlow('f1', { kind: 'manual', overlap: 'parallel' }),
      headers: { 'if-match': '1' },
    })
    expect(saved.status).toBe(200)
    for (const server of [here, other]) {
      const second = await server.call('POST', '/api/flows/f1/runs')
      expect(second.status).toBe(202)
      expect(second.body.flowVersion).toBe(2)
    }
    expect((await runsOf(here, 'f1')).map((run) => run.flowVersion)).toEqual([1, 2, 2])
  })

  it('refuses a run of a flow made invalid elsewhere, and accepts it again once fixed there', async () => {
    const [here, other] = await twoProcesses()
    await here.call('POST', '/api/flows', { body: chainFlow('f1') })
    expect((await here.call('POST', '/api/flows/f1/runs')).status).toBe(202)

    const broken = await other.call('PUT', '/api/flows/f1', {
      body: chainFlow('f1', {}, [['no-such-type', {}]]),
      headers: { 'if-match': '1' },
    })
    expect(broken.status).toBe(200)
    const refused = await here.call('POST', '/api/flows/f1/runs')
    expect(refused.status).toBe(400)
    expect(refused.body.error.code).toBe('FLOW_INVALID')

    // This process now holds the invalid version; the fix made elsewhere must still be seen.
    const fixed = await other.call('PUT', '/api/flows/f1', {
      body: chainFlow('f1'),
      headers: { 'if-match': '2' },
    })
    expect(fixed.status).toBe(200)
    const accepted = await here.call('POST', '/api/flows/f1/runs')
    expect(accepted.status).toBe(202)
    expect(accepted.body.flowVersion).toBe(3)
    expect((await runsOf(here, 'f1')).map((run) => run.flowVersion)).toEqual([1, 3])
  })

  it('answers 404 for a flow deleted elsewhere and stores nothing for it', async () => {
    const [here, other] = await twoProcesses()
    await here.call('POST', '/api/flows', { body: chainFlow('f1') })
    expect((await here.call('POST', '/api/flows/f1/runs')).status).toBe(202)
    expect((await other.call('DELETE', '/api/flows/f1')).status).toBe(204)

    const refused = await here.call('POST', '/api/flows/f1/runs', { headers: { 'idempotency-key': 'k1' } })
    expect(refused.status).toBe(404)
    expect(refused.body.error.code).toBe('FLOW_NOT_FOUND')
    expect(await runsOf(here, 'f1')).toEqual([])
  })

  it('a flow deleted and recreated under the same id is judged as the new flow, in this process', async () => {
    const clock = new FakeClock(Date.parse('2026-07-01T00:00:00Z'))
    const server = await startTestServer({ runtime: { queue: { concurrency: 0 } }, services: { clock } })
    servers.push(server)
    await expectRecreatedFlowJudgedAfresh(server, server)
  })

  it('a flow deleted and recreated under the same id elsewhere, in the same millisecond, is judged as the new flow', async () => {
    const [here, other] = await twoProcesses(new FakeClock(Date.parse('2026-07-01T00:00:00Z')))
    await expectRecreatedFlowJudgedAfresh(here, other)
  })

  it('a burst that straddles a save elsewhere: every request is answered and stored once, at a real version', async () => {
    const [here, other] = await twoProcesses()
    await here.call('POST', '/api/flows', { body: chainFlow('f1') })
    const burst = Array.from({ length: 200 }, (_, i) =>
      here.call('POST', '/api/flows/f1/runs', { headers: { 'idempotency-key': `k${i % 150}` } })
    )
    const save = other.call('PUT', '/api/flows/f1', {
      body: chainFlow('f1', {}, [['test-add', { step: 2 }]]),
      headers: { 'if-match': '1' },
    })
    const answers = await Promise.all(burst)
    expect((await save).status).toBe(200)
    expect(answers.every((answer) => answer.status === 202)).toBe(true)
    const stored = await runsOf(here, 'f1')
    expect(stored).toHaveLength(150)
    expect(new Set(answers.map((answer) => answer.body.id))).toEqual(new Set(stored.map((run) => run.id)))
    for (const run of stored) expect([1, 2]).toContain(run.flowVersion)
  })
})

describe('run ids', () => {
  it('are UUID version 7: unique, and ordered by creation time', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => newRunId(1_700_000_000_000 + Math.floor(i / 10)))
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids[0]!.startsWith('018bcfe5-6800-7')).toBe(true)
    for (let i = 10; i < ids.length; i += 10) expect(ids[i]! > ids[i - 1]!).toBe(true)
  })
})
