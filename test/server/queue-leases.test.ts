import { statSync } from 'node:fs'
import { join } from 'node:path'
import { eq, sql } from 'drizzle-orm'
import { afterEach, describe, expect, it } from 'vitest'
import { controlResults } from '../../server/db/schema/controls.ts'
import { runSteps, runs, stepPayloads } from '../../server/db/schema/runs.ts'
import { runTableBytes, usedBytes } from '../../server/queue/db-usage.ts'
import { createRetention } from '../../server/queue/retention.ts'
import { createRunRecorder } from '../../server/runs/recorder.ts'
import { chainFlow, startTestServer, type TestServer } from '../support/runtime-server.ts'

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function start(options: Parameters<typeof startTestServer>[0] = {}) {
  const server = await startTestServer(options)
  servers.push(server)
  return server
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const SLOW: [string, Record<string, unknown>][] = [['test-wait', { ms: 5000 }]]

describe('leases', () => {
  it('a run whose holder stopped renewing is queued again, cleaned, and finished by another worker', async () => {
    const s = await start({ runtime: { queue: { concurrency: 0 } } })
    await s.call('POST', '/api/flows', { body: chainFlow('f1') })
    const { id } = (await s.call('POST', '/api/flows/f1/runs')).body
    const { claims } = s.ctx.queue
    const [claimed] = await claims.claim('dead-process', 1, Date.now() - 60_000, 1000)
    expect(claimed?.id).toBe(id)
    expect(await claims.reclaimExpired(Date.now(), 2)).toEqual({ requeued: 1, failed: 0 })

    const worker = await start({ dir: s.dir, runtime: { queue: { concurrency: 2 } } })
    worker.ctx.queue.worker.poke()
    await until(async () => (await worker.ctx.runs.get(id))?.status === 'succeeded')
    expect((await worker.ctx.runs.get(id))?.attempts).toBe(2)
  })

  it('a worker that lost its lease stops the run instead of racing the new holder', async () => {
    const s = await start({ runtime: { queue: { concurrency: 1, leaseMs: 1000 } } })
    await s.ctx.startBackground()
    await s.call('POST', '/api/flows', { body: chainFlow('slow', {}, SLOW) })
    const { id } = (await s.call('POST', '/api/flows/slow/runs')).body
    await until(async () => s.ctx.runService.isActive(id))
    await s.ctx.database.db.update(runs).set({ leaseOwner: 'someone-else' }).where(eq(runs.id, id))
    await until(async () => !s.ctx.runService.isActive(id), 3000)
    await s.ctx.batcher.idle()
    // Its late outcome is not written over the new holder's run.
    expect(await s.ctx.runs.get(id)).toMatchObject({ status: 'running', leaseOwner: 'someone-else' })
  })

  it('a worker that lost its lease writes none of its late steps or payloads over the new holder', async () => {
    const s = await start({ runtime: { queue: { concurrency: 1, leaseMs: 1000 } } })
    await s.ctx.startBackground()
    const flow = chainFlow('slow', {}, [['test-add', { step: 1 }], ...SLOW])
    await s.call('POST', '/api/flows', { body: flow })
    const { id } = (await s.call('POST', '/api/flows/slow/runs')).body
    await until(async () => s.ctx.runService.isActive(id))
    const { db } = s.ctx.database
    // Another process takes the run over as a reclaim would: its own attempt, the old rows gone,
    // its first step recorded.
    await db.batch([
      db.delete(stepPayloads).where(eq(stepPayloads.runId, id)),
      db.delete(runSteps).where(eq(runSteps.runId, id)),
      db
        .update(runs)
        .set({ leaseOwner: 'someone-else', attempts: sql`${runs.attempts} + 1` })
        .where(eq(runs.id, id)),
      db
        .insert(runSteps)
        .values({ runId: id, nodeId: 'trigger', nodeType: 'trigger', position: 0, status: 'running' }),
    ])
    await until(async () => !s.ctx.runService.isActive(id), 3000)
    await s.ctx.batcher.idle()
    // The stale worker's cancelled wait node, its failed run and its payloads went nowhere.
    const steps = await db.select().from(runSteps).where(eq(runSteps.runId, id))
    expect(steps.map(({ nodeId, status }) => ({ nodeId, status }))).toEqual([
      { nodeId: 'trigger', status: 'running' },
    ])
    expect(await db.select().from(stepPayloads).where(eq(stepPayloads.runId, id))).toEqual([])
    expect(await s.ctx.runs.get(id)).toMatchObject({ status: 'running', leaseOwner: 'someone-else' })
  })

  it('runs executed under a lease still record every step while it holds', async () => {
    const s = await start({ runtime: { queue: { concurrency: 1 } } })
    await s.ctx.startBackground()
    await s.call('POST', '/api/flows', { body: chainFlow('f1') })
    const { id } = (await s.call('POST', '/api/flows/f1/runs?wait=5')).body
    const run = await s.ctx.runs.get(id)
    expect(run).toMatchObject({ status: 'succeeded', attempts: 1 })
    const steps = await s.ctx.database.db.select().from(runSteps).where(eq(runSteps.runId, id))
    expect(steps.map((step) => step.status).sort()).toEqual(['succeeded', 'succeeded'])
    expect((await s.ctx.runs.stepPayload(id, 'n1', 'output')).kind).not.toBe('no-step')
  })

  it('cancelling a run executing in another process stops it there at its next heartbeat', async () => {
    const a = await start({ runtime: { queue: { concurrency: 1, leaseMs: 1000 } } })
    await a.ctx.startBackground()
    await a.call('POST', '/api/flows', { body: chainFlow('slow', {}, SLOW) })
    const { id } = (await a.call('POST', '/api/flows/slow/runs')).body
    await until(async () => a.ctx.runService.isActive(id))
    const b = await start({ dir: a.dir, runtime: { queue: { concurrency: 0 } } })
    expect((await b.call('POST', `/api/runs/${id}/cancel`)).body.status).toBe('cancelled')
    await until(async () => !a.ctx.runService.isActive(id), 3000)
    expect((await a.ctx.runs.get(id))?.status).toBe('cancelled')
  })
})

describe('shutdown', () => {
  it('hands a run still going after the grace period back to the queue, publishing no outcome for it', async () => {
    const s = await start()
    await s.call('POST', '/api/flows', { body: chainFlow('slow', {}, SLOW) })
    const { id } = (await s.call('POST', '/api/flows/slow/runs')).body
    await until(
      async () =>
        (await s.ctx.runs.getWithSteps(id))?.steps.some((step) => step.status === 'running') ?? false
    )
    const heard: string[] = []
    s.ctx.live.subscribe(id, (event) => heard.push(event.type))
    await s.ctx.stopRuns(0)
    expect(s.ctx.runService.isActive(id)).toBe(false)
    expect(heard).toEqual([])
    const run = (await s.ctx.runs.getWithSteps(id))!
    expect(run).toMatchObject({
      status: 'queued',
      attempts: 0,
      leaseOwner: null,
      error: { code: 'HANDED_BACK' },
    })
    expect(run.steps).toEqual([])
  })
})

describe('a run finished by another process', () => {
  it("stays finished when the holder's late start record is written", async () => {
    const s = await start({ runtime: { queue: { concurrency: 0 } } })
    await s.call('POST', '/api/flows', { body: chainFlow('f1') })
    const { id } = (await s.call('POST', '/api/flows/f1/runs')).body
    const [claimed] = await s.ctx.queue.claims.claim('holder', 1, Date.now(), 60_000)
    expect(claimed?.id).toBe(id)
    // The holder's engine has started the run; its record of that is not written yet.
    const recorder = createRunRecorder({ batcher: s.ctx.batcher, live: s.ctx.live })
    const { onEvent } = recorder.track({
      runId: id,
      flowId: 'f1',
      nodeTypes: new Map(),
      lease: { owner: 'holder', attempt: claimed!.attempts },
    })
    // Meanwhile a cancel arrives at another process, which finishes the run without the lease.
    const cancelled = { code: 'CANCELLED', message: 'the run was cancelled' }
    expect(await s.ctx.runs.finishUnattended(id, 'cancelled', cancelled, Date.now())).toBe(true)
    onEvent({ type: 'run.started', runId: id, at: Date.now(), nodeIds: [] })
    await s.ctx.batcher.idle()
    expect(await s.ctx.runs.get(id)).toMatchObject({ status: 'cancelled', error: cancelled })
  })
})

describe('retention', () => {
  const DAY = 86_400_000

  async function finishedRuns(s: TestServer, flowId: string, count: number) {
    const ids: string[] = []
    for (let i = 0; i < count; i++)
      ids.push((await s.call('POST', `/api/flows/${flowId}/runs?wait=5`)).body.id)
    return ids
  }

  it('prunes old finished runs with their steps and payloads, never running ones, and keeps the latest control result', async () => {
    const s = await start()
    await s.call('POST', '/api/flows', { body: chainFlow('f1') })
    await s.call('POST', '/api/flows', { body: chainFlow('slow', {}, SLOW) })
    const [old1, old2, fresh] = await finishedRuns(s, 'f1', 3)
    const running = (await s.call('POST', '/api/flows/slow/runs')).body.id
    await until(async () => s.ctx.runService.isActive(running))
    const { db } = s.ctx.database
    const longAgo = Date.now() - 90 * DAY
    await db
      .update(runs)
      .set({ createdAt: longAgo, finishedAt: longAgo })
      .where(sql`${runs.id} IN (${old1}, ${old2}, ${running})`)
    // The same DBInstanceIdentifier in two regions and two accounts is three resources.
    const result = (
      runId: string,
      id: number,
      resourceId: string,
      accountId: string | null,
      region: string | null
    ) => ({
      id,
      flowId: 'f1',
      nodeId: 'control',
      resourceId,
      accountId,
      region,
      runId,
      result: 'FAIL' as const,
      recordedAt: longAgo,
    })
    await db
      .insert(controlResults)
      .values([
        result(old1!, 1, 'db-1', '111111111111', 'us-east-1'),
        result(old2!, 2, 'db-1', '111111111111', 'us-east-1'),
        result(old1!, 3, 'db-1', '111111111111', 'us-west-2'),
        result(old1!, 4, 'db-1', '222222222222', 'us-east-1'),
        result(old1!, 5, 'db-2', null, null),
        result(old2!, 6, 'db-2', null, null),
      ])

    const report = await s.ctx.retention.prune()
    expect(report.runsByAge).toBe(2)
    expect(await s.ctx.runs.get(old1!)).toBeUndefined()
    expect(await s.ctx.runs.get(fresh!)).toBeDefined()
    expect((await s.ctx.runs.get(running))?.status).toBe('running')
    expect((await s.ctx.runs.stepPayload(old1!, 'n1', 'output')).kind).toBe('no-step')
    // Older results went with their runs; the latest per resource is the resource's current state.
    expect((await db.select().from(controlResults)).map((row) => row.id)).toEqual([2, 3, 4, 6])
    await s.call('POST', `/api/runs/${running}/cancel`)
  })

  it('drops full payloads older than their own limit while keeping the runs', async () => {
    const s = await start({ runtime: { retention: { payloadMaxAgeMs: DAY } } })
    await s.call('POST', '/api/flows', { body: chainFlow('f1') })
    const [id] = await finishedRuns(s, 'f1', 1)
    await s.ctx.database.db
      .update(runs)
      .set({ finishedAt: Date.now() - 2 * DAY })
      .where(eq(runs.id, id!))
    const report = await s.ctx.retention.prune()
    expect(report.payloads).toBe(2)
    expect(await s.ctx.runs.get(id!)).toBeDefined()
    expect(await s.ctx.database.db.select().from(stepPayloads)).toEqual([])
  })

  it('keeps runs and payloads forever when their retention days are 0', async () => {
    const s = await start({ runtime: { retention: { runMaxAgeMs: 0, payloadMaxAgeMs: 0 } } })
    await s.call('POST', '/api/flows', { body: chainFlow('f1') })
    const [id] = await finishedRuns(s, 'f1', 1)
    const longAgo = Date.now() - 9000 * DAY
    await s.ctx.database.db
      .update(runs)
      .set({ createdAt: longAgo, finishedAt: longAgo })
      .where(eq(runs.id, id!))
    const report = await s.ctx.retention.prune()
    expect(report).toMatchObject({ runsByAge: 0, payloads: 0 })
    expect(await s.ctx.runs.get(id!)).toBeDefined()
    expect((await s.ctx.database.db.select().from(stepPayloads)).length).toBe(2)
  })

  it('caps the database size: oldest finished runs go first, until the file is under the cap, and it shrinks', async () => {
    const s = await start()
    await s.ctx.retention.prepare()
    await s.call('POST', '/api/flows', {
      body: chainFlow('big', {}, [['test-emit', { count: 2000 }]]),
    })
    const ids = await finishedRuns(s, 'big', 20)
    const { client } = s.ctx.database
    const used = await usedBytes(client)
    const runBytes = (await runTableBytes(client))!
    // Room for about half the runs.
    s.ctx.settings.retention.maxBytes = used - Math.floor(runBytes / 2)
    await client.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    const file = join(s.dir, 'qflow.db')
    const before = statSync(file).size
    const report = await s.ctx.retention.prune()
    expect(report.capUnreachable).toBe(false)
    expect(report.runsBySize).toBeGreaterThan(0)
    expect(report.runsBySize).toBeLessThan(20)
    expect(report.bytesAfter).toBeLessThanOrEqual(s.ctx.settings.retention.maxBytes)
    // The oldest went; the newest stayed.
    expect(await s.ctx.runs.get(ids[0]!)).toBeUndefined()
    expect(await s.ctx.runs.get(ids[19]!)).toBeDefined()
    await client.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    expect(statSync(file).size).toBeLessThan(before)
  })

  it('a cap that flow versions alone exceed: old versions go, runs stay, and the pass says the cap is out of reach', async () => {
    const s = await start({ runtime: { retention: { maxBytes: 1, flowVersionsToKeep: 3 } } })
    const flow = { ...chainFlow('f1'), description: 'x'.repeat(4000) }
    await s.call('POST', '/api/flows', { body: flow })
    for (let version = 1; version < 10; version++) {
      const saved = await s.call('PUT', '/api/flows/f1', {
        body: flow,
        headers: { 'if-match': String(version) },
      })
      expect(saved.status).toBe(200)
    }
    const ids = await finishedRuns(s, 'f1', 5)
    const report = await s.ctx.retention.prune()
    expect(report).toMatchObject({ flowVersions: 7, runsBySize: 0, capUnreachable: true })
    const versions = (await s.call('GET', '/api/flows/f1/versions')).body.items
    expect(versions.map((v: { version: number }) => v.version)).toEqual([10, 9, 8])
    for (const id of ids) expect(await s.ctx.runs.get(id)).toBeDefined()
  })

  it('logs what a pass pruned: flow versions only, when only they went', async () => {
    const s = await start()
    await s.call('POST', '/api/flows', { body: chainFlow('f1') })
    for (let version = 1; version < 4; version++)
      await s.call('PUT', '/api/flows/f1', {
        body: chainFlow('f1'),
        headers: { 'if-match': String(version) },
      })
    const lines: string[] = []
    const retention = createRetention({
      database: s.ctx.database,
      settings: { ...s.ctx.settings.retention, flowVersionsToKeep: 1 },
      log: (level, message) => lines.push(`${level} ${message}`),
    })
    await retention.prune()
    expect(lines).toEqual(['info retention pruned 3 flow versions'])
  })

  it('never deletes a flow version a queued run is waiting to run', async () => {
    const s = await start({ runtime: { queue: { concurrency: 0 }, retention: { flowVersionsToKeep: 1 } } })
    await s.call('POST', '/api/flows', { body: chainFlow('f1') })
    const queued = (await s.call('POST', '/api/flows/f1/runs')).body.id
    for (let version = 1; version < 4; version++)
      await s.call('PUT', '/api/flows/f1', {
        body: chainFlow('f1'),
        headers: { 'if-match': String(version) },
      })
    expect((await s.ctx.retention.prune()).flowVersions).toBe(2)
    const versions = (await s.call('GET', '/api/flows/f1/versions')).body.items
    expect(versions.map((v: { version: number }) => v.version)).toEqual([4, 1])
    expect((await s.ctx.runs.get(queued))?.flowVersion).toBe(1)
  })

  it('the first pass comes soon after the background work starts, not a whole interval later', async () => {
    const s = await start({ runtime: { retention: { firstPassDelayMs: 0 } } })
    await s.call('POST', '/api/flows', { body: chainFlow('f1') })
    const [id] = await finishedRuns(s, 'f1', 1)
    await s.ctx.database.db.update(runs).set({ finishedAt: Date.now() - 90 * DAY })
    await s.ctx.startBackground()
    await until(async () => (await s.ctx.runs.get(id!)) === undefined)
  })

  it('one pass goes on batch after batch until every run past its age is gone', async () => {
    const s = await start({ runtime: { retention: { batchSize: 2 } } })
    await s.call('POST', '/api/flows', { body: chainFlow('f1') })
    await finishedRuns(s, 'f1', 25)
    await s.ctx.database.db.update(runs).set({ finishedAt: Date.now() - 90 * DAY })
    // 13 batches: more than a fixed number of batches per pass would allow at this batch size.
    expect((await s.ctx.retention.prune()).runsByAge).toBe(25)
  })
})
