import { afterEach, describe, expect, it } from 'vitest'
import { FakeClock } from '../support/fake-clock.ts'
import { chainFlow, startTestServer, type TestServer } from '../support/runtime-server.ts'

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function start(clock?: FakeClock, dir?: string) {
  const server = await startTestServer({ ...(clock ? { services: { clock } } : {}), ...(dir ? { dir } : {}) })
  servers.push(server)
  return server
}

async function runsOf(server: TestServer, flowId: string) {
  const page = await server.ctx.runs.listForFlow(flowId, { limit: 100, offset: 0 })
  return Promise.all(page.items.map(async (item) => (await server.ctx.runs.get(item.id))!))
}

/** Let the fire's insert (batched on the next turn) commit. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50))

const LA_NINE = { kind: 'cron', expression: '0 9 * * *', timezone: 'America/Los_Angeles' }

describe('scheduled triggers', () => {
  it('fire only while deployed, at the right instant in the flow time zone; undeploy stops them at once', async () => {
    const clock = new FakeClock(Date.parse('2026-07-01T00:00:00Z'))
    const s = await start(clock)
    await s.call('POST', '/api/flows', { body: chainFlow('daily', LA_NINE) })

    await clock.advanceTo(Date.parse('2026-07-01T17:00:00Z'))
    await settle()
    expect(await runsOf(s, 'daily')).toHaveLength(0) // not deployed: nothing armed

    expect((await s.call('POST', '/api/flows/daily/deploy')).status).toBe(200)
    await clock.advanceTo(Date.parse('2026-07-02T15:59:59Z'))
    await settle()
    expect(await runsOf(s, 'daily')).toHaveLength(0)
    await clock.advanceTo(Date.parse('2026-07-02T16:00:00Z')) // 09:00 PDT
    await settle()
    const [run] = await runsOf(s, 'daily')
    expect(run).toMatchObject({
      triggeredBy: 'schedule',
      input: { trigger: { kind: 'cron', scheduledAt: '2026-07-02T16:00:00.000Z' } },
    })

    expect((await s.call('POST', '/api/flows/daily/undeploy')).status).toBe(200)
    expect(clock.pending).toBe(0)
    await clock.advanceTo(Date.parse('2026-07-05T00:00:00Z'))
    await settle()
    expect(await runsOf(s, 'daily')).toHaveLength(1)

    // Manual runs work whether the flow is deployed or not.
    expect((await s.call('POST', '/api/flows/daily/runs')).status).toBe(202)
  })

  it('concurrent deploys, undeploys and saves leave exactly the stored state armed, never a stray timer', async () => {
    const clock = new FakeClock(Date.parse('2026-07-01T00:00:00Z'))
    const s = await start(clock)
    await s.call('POST', '/api/flows', { body: chainFlow('storm', LA_NINE) })
    for (let round = 0; round < 5; round++) {
      const current = await s.call('GET', '/api/flows/storm')
      const requests = Array.from({ length: 12 }, (_, i) =>
        i % 3 === 0
          ? s.call('POST', '/api/flows/storm/deploy')
          : i % 3 === 1
            ? s.call('POST', '/api/flows/storm/undeploy')
            : s.call('PUT', '/api/flows/storm', {
                body: { ...current.body.flow, deployed: true, description: `save ${round}.${i}` },
                headers: { 'if-match': `"${current.body.version}"` },
              })
      )
      const answers = await Promise.all(requests)
      // Each is applied or refused as a conflict; nothing else.
      for (const answer of answers) expect([200, 409]).toContain(answer.status)
      const stored = (await s.call('GET', '/api/flows/storm')).body
      expect(s.ctx.triggers.armedFlows).toEqual(stored.flow.deployed ? ['storm'] : [])
      expect(clock.pending).toBe(stored.flow.deployed ? 1 : 0)
    }
    expect((await s.call('POST', '/api/flows/storm/undeploy')).status).toBe(200)
    expect(clock.pending).toBe(0)
  })

  it('a recurrent schedule fires every N minutes on the fake clock', async () => {
    const clock = new FakeClock(Date.parse('2026-07-01T10:00:30Z'))
    const s = await start(clock)
    await s.call('POST', '/api/flows', {
      body: { ...chainFlow('every5', { kind: 'recurrent', every: 5, unit: 'minutes' }), deployed: true },
    })
    for (let i = 1; i <= 3; i++) {
      await clock.advanceTo(Date.parse('2026-07-01T10:00:00Z') + i * 5 * 60_000)
      await settle()
    }
    const runs = await runsOf(s, 'every5')
    expect(
      runs.map((run) => (run.input as { trigger: { scheduledAt: string } }).trigger.scheduledAt).sort()
    ).toEqual(['2026-07-01T10:05:00.000Z', '2026-07-01T10:10:00.000Z', '2026-07-01T10:15:00.000Z'])
  })

  it('deploy validates the flow first', async () => {
    const s = await start(new FakeClock(0))
    await s.call('POST', '/api/flows', { body: chainFlow('bad', { kind: 'cron', expression: 'not a cron' }) })
    const refused = await s.call('POST', '/api/flows/bad/deploy')
    expect(refused.status).toBe(400)
    expect(refused.body.error.code).toBe('FLOW_INVALID')
    expect(JSON.stringify(refused.body.error.details)).toMatch(/expression/)
  })

  it('two processes arming the same schedule make one run per instant', async () => {
    const start1 = Date.parse('2026-07-01T08:59:00Z')
    const clockA = new FakeClock(start1)
    const clockB = new FakeClock(start1)
    const a = await start(clockA)
    await a.call('POST', '/api/flows', {
      body: { ...chainFlow('shared', { kind: 'cron', expression: '0 9 * * *' }), deployed: true },
    })
    const b = await start(clockB, a.dir)
    await b.ctx.triggers.start()
    expect(b.ctx.triggers.armedFlows).toEqual(['shared'])
    await Promise.all([clockA.advanceBy(60_000), clockB.advanceBy(60_000)])
    await settle()
    expect(await runsOf(a, 'shared')).toHaveLength(1)
  })
})

describe('event triggers', () => {
  const rdsEvent = (id: string, identifier = 'prod-db') => ({
    version: '0',
    id,
    source: 'aws.rds',
    'detail-type': 'RDS DB Instance Event',
    detail: { SourceIdentifier: identifier, EventCategories: ['configuration change'] },
  })
  const pattern = {
    source: ['aws.rds'],
    detail: { SourceIdentifier: [{ prefix: 'prod-' }], EventCategories: ['configuration change'] },
  }

  it('starts runs of deployed flows whose pattern matches; a redelivered event is the same run', async () => {
    const s = await start()
    await s.call('POST', '/api/flows', {
      body: { ...chainFlow('on-rds', { kind: 'event', pattern }), deployed: true },
    })
    await s.call('POST', '/api/flows', { body: chainFlow('not-deployed', { kind: 'event', pattern }) })

    const matched = await s.call('POST', '/api/events', { body: rdsEvent('ev-1') })
    expect(matched.status).toBe(202)
    expect(matched.body).toMatchObject({
      received: 1,
      matched: 1,
      runs: [{ flowId: 'on-rds', outcome: 'created' }],
    })
    const run = await s.ctx.runs.get(matched.body.runs[0].runId)
    expect(run).toMatchObject({ triggeredBy: 'event', input: { event: { id: 'ev-1', source: 'aws.rds' } } })

    const again = await s.call('POST', '/api/events', {
      body: [rdsEvent('ev-1'), rdsEvent('ev-2', 'dev-db')],
    })
    expect(again.body).toMatchObject({ received: 2, matched: 1, runs: [{ outcome: 'existing' }] })
    expect(again.body.runs[0].runId).toBe(run!.id)

    const malformed = await s.call('POST', '/api/events', {
      body: 'not json',
      headers: { 'content-type': 'application/json' },
    })
    expect(malformed.status).toBe(400)
  })

  it('refuses a malformed event with a 400 naming the field, and starts nothing', async () => {
    const s = await start()
    await s.call('POST', '/api/flows', {
      body: { ...chainFlow('on-rds', { kind: 'event', pattern }), deployed: true },
    })
    const good = rdsEvent('ev-ok')
    const { source: _source, ...withoutSource } = good
    const { 'detail-type': _type, ...withoutType } = good
    const cases: [body: unknown, message: string][] = [
      [{ ...good, 'detail-type': 42 }, 'detail-type: expected a string, got a number'],
      [{ ...good, detail: 'changed' }, 'detail: expected an object, got a string'],
      [{ ...good, detail: [1] }, 'detail: expected an object, got a list'],
      [withoutSource, 'source: required'],
      [withoutType, 'detail-type: required'],
      [{ ...good, source: '' }, 'source: must not be empty'],
      [{ ...good, id: 7 }, 'id: expected a string, got a number'],
      [{ ...good, resources: 'arn:aws:rds:x' }, 'resources: expected a list, got a string'],
      [{ ...good, time: false }, 'time: expected a string, got true or false'],
      [[good, { ...good, detail: null }], '1.detail: expected an object, got null'],
      [[good, 'event'], '1: expected an object, got a string'],
      [[], 'body: must not be empty'],
      [Array.from({ length: 101 }, (_, i) => rdsEvent(`ev-${i}`)), 'body: expected at most 100 items'],
      [42, 'body: expected an event object or a list of 1 to 100 events'],
      ['"aws.rds"', 'body: expected an event object or a list of 1 to 100 events'],
      ['null', 'body: expected an event object or a list of 1 to 100 events'],
    ]
    for (const [body, message] of cases) {
      const refused = await s.call('POST', '/api/events', {
        body: typeof body === 'string' ? body : JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      })
      expect(refused.status, JSON.stringify(body).slice(0, 80)).toBe(400)
      expect(refused.body.error.code).toBe('VALIDATION_FAILED')
      expect(refused.body.error.message.replace(/ \(and \d+ more\)$/, '')).toBe(message)
      expect(refused.body.error.details.issues[0].field).toBe(message.split(':')[0])
    }
    const empty = await s.call('POST', '/api/events')
    expect(empty.status).toBe(400)
    expect(empty.body.error.code).toBe('BODY_REQUIRED')
    expect(await runsOf(s, 'on-rds')).toHaveLength(0)
    // The same event, well formed, still matches.
    expect((await s.call('POST', '/api/events', { body: good })).body.matched).toBe(1)
  })
})
