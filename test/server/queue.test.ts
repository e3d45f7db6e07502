import { afterEach, describe, expect, it } from 'vitest'
import { chainFlow, startTestServer, type TestServer } from '../support/runtime-server.ts'

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('run queue', () => {
  it('stores the run before answering 202 and executes it through a claim', async () => {
    server = await startTestServer()
    expect((await server.call('POST', '/api/flows', { body: chainFlow('f1') })).status).toBe(201)
    const accepted = await server.call('POST', '/api/flows/f1/runs', { body: { input: { n: 1 } } })
    expect(accepted.status).toBe(202)
    expect(accepted.headers.get('location')).toBe(`/api/runs/${accepted.body.id}`)
    expect(accepted.body.url).toBe(`/api/runs/${accepted.body.id}`)
    expect(await server.ctx.runs.get(accepted.body.id)).toBeDefined()
    await waitUntil(async () => (await server!.ctx.runs.get(accepted.body.id))?.status === 'succeeded')
    const row = (await server.ctx.runs.get(accepted.body.id))!
    expect(row.attempts).toBe(1)
    expect(row.leaseOwner).toBe(server.ctx.queue.worker.owner)
  })

  it('?wait=N answers 200 with the finished run and its steps, or 202 when it is not done', async () => {
    server = await startTestServer()
    await server.call('POST', '/api/flows', {
      body: chainFlow('f1', {}, [['test-add', { step: 2 }]]),
    })
    const done = await server.call('POST', '/api/flows/f1/runs?wait=5', { body: { input: { n: 1 } } })
    expect(done.status).toBe(200)
    expect(done.body.status).toBe('succeeded')
    expect(done.body.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['trigger', 'n1'])

    await server.call('POST', '/api/flows', {
      body: chainFlow('slow', {}, [['test-wait', { ms: 3000 }]]),
    })
    const started = Date.now()
    const pending = await server.call('POST', '/api/flows/slow/runs?wait=0.3')
    expect(pending.status).toBe(202)
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    expect(pending.body.url).toBe(`/api/runs/${pending.body.id}`)
    const bad = await server.call('POST', '/api/flows/f1/runs?wait=abc')
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toMatch(/^wait:/)
    await server.call('POST', `/api/runs/${pending.body.id}/cancel`)
  })

  it('the same Idempotency-Key returns the same run; a malformed key is refused', async () => {
    server = await startTestServer()
    await server.call('POST', '/api/flows', { body: chainFlow('f1') })
    const headers = { 'idempotency-key': 'order-42' }
    const first = await server.call('POST', '/api/flows/f1/runs', { headers })
    const again = await server.call('POST', '/api/flows/f1/runs', { headers })
    expect(first.status).toBe(202)
    expect(again.status).toBe(202)
    expect(again.body.id).toBe(first.body.id)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    const bad = await server.call('POST', '/api/flows/f1/runs', {
      headers: { 'idempotency-key': 'has space' },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toMatch(/^Idempotency-Key:/)
  })

  it('the same Idempotency-Key with another body is refused (422); the same body, however written, replays', async () => {
    server = await startTestServer()
    await server.call('POST', '/api/flows', { body: chainFlow('f1') })
    const headers = { 'idempotency-key': 'order-43' }
    const first = await server.call('POST', '/api/flows/f1/runs', {
      headers,
      body: { input: { a: 1, b: [1, 2] }, regions: ['us-east-1'] },
    })
    expect(first.status).toBe(202)
    // The same request with its keys in another order is the same request.
    const again = await server.call('POST', '/api/flows/f1/runs', {
      headers,
      body: { regions: ['us-east-1'], input: { b: [1, 2], a: 1 } },
    })
    expect(again.status).toBe(202)
    expect(again.body.id).toBe(first.body.id)
    for (const body of [
      { input: { a: 2, b: [1, 2] }, regions: ['us-east-1'] },
      { input: { a: 1, b: [1, 2] } },
      {},
    ]) {
      const reused = await server.call('POST', '/api/flows/f1/runs', { headers, body })
      expect(reused.status).toBe(422)
      expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED')
      expect(reused.body.error.message).toMatch(/order-43/)
      expect(reused.body.error.details).toMatchObject({ field: 'Idempotency-Key', runId: first.body.id })
    }
    const stored = await server.ctx.database.client.execute({
      sql: 'SELECT count(*) AS n FROM runs WHERE flow_id = ?',
      args: ['f1'],
    })
    expect(Number(stored.rows[0]!.n)).toBe(1)
  })

  it('a full queue answers 429 with Retry-After and stores nothing', async () => {
    server = await startTestServer({ runtime: { queue: { maxQueued: 3, concurrency: 0 } } })
    await server.call('POST', '/api/flows', { body: chainFlow('f1') })
    for (let i = 0; i < 3; i++) expect((await server.call('POST', '/api/flows/f1/runs')).status).toBe(202)
    await new Promise((resolve) => setTimeout(resolve, 300)) // past the cached count
    const refused = await server.call('POST', '/api/flows/f1/runs')
    expect(refused.status).toBe(429)
    expect(refused.body.error.code).toBe('QUEUE_FULL')
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await server.ctx.queue.claims.queuedCount()).toBe(3)
  })

  it('overlap skip drops a run while one is going; queue holds it until the first is done', async () => {
    server = await startTestServer()
    const slow: [string, Record<string, unknown>][] = [['test-wait', { ms: 300 }]]
    await server.call('POST', '/api/flows', { body: chainFlow('skip', { overlap: 'skip' }, slow) })
    const first = await server.call('POST', '/api/flows/skip/runs')
    const second = await server.call('POST', '/api/flows/skip/runs')
    expect(first.status).toBe(202)
    expect(second.status).toBe(409)
    expect(second.body.error).toMatchObject({ code: 'RUN_SKIPPED', details: { activeRunId: first.body.id } })

    await server.call('POST', '/api/flows', { body: chainFlow('serial', { overlap: 'queue' }, slow) })
    const ids: string[] = []
    for (let i = 0; i < 3; i++) ids.push((await server.call('POST', '/api/flows/serial/runs')).body.id)
    await waitUntil(async () => {
      const rows = await Promise.all(ids.map((id) => server!.ctx.runs.get(id)))
      return rows.every((row) => row?.status === 'succeeded')
    })
    const rows = (await Promise.all(ids.map((id) => server!.ctx.runs.get(id)))).map((row) => row!)
    // One at a time, in order: each started after the previous finished.
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.startedAt!).toBeGreaterThanOrEqual(rows[i - 1]!.finishedAt!)
    }
  })

  it('bounds concurrency: never more runs executing than QFLOW_WORKERS', async () => {
    server = await startTestServer({ runtime: { queue: { concurrency: 2 } } })
    await server.call('POST', '/api/flows', {
      body: chainFlow('f1', {}, [['test-wait', { ms: 100 }]]),
    })
    const ids: string[] = []
    for (let i = 0; i < 6; i++) ids.push((await server.call('POST', '/api/flows/f1/runs')).body.id)
    let peak = 0
    await waitUntil(async () => {
      peak = Math.max(peak, server!.ctx.queue.worker.activeCount)
      const rows = await Promise.all(ids.map((id) => server!.ctx.runs.get(id)))
      return rows.every((row) => row?.status === 'succeeded')
    })
    expect(peak).toBe(2)
  })
})
