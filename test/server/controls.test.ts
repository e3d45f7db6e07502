import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sampleFlow, startTestServer, type TestServer } from '../support/server.ts'

let server: TestServer
beforeEach(async () => {
  server = await startTestServer()
})
afterEach(async () => {
  await server.close()
})

/**
 * A flow whose builtin control judges the run input: FAIL when `bad` is true, the resource named by
 * its `id`, its account and region from `_qflow` as the AWS Resource node stamps them.
 */
const CONTROL_CONFIG = {
  criteria: { type: 'group', conditions: [{ type: 'param', key: 'bad', operator: 'equals', value: true }] },
  resourceIdKey: 'id',
  displayNameKey: 'name',
  evidenceKeys: ['bad'],
}
const resource = (id: string, bad: boolean, awsAccountId = '123456789012', region = 'us-east-1') => ({
  id,
  name: `resource ${id}`,
  bad,
  _qflow: { accountId: 'prod', awsAccountId, region },
})

async function createControlFlow() {
  const flow = sampleFlow({
    id: 'controls',
    nodes: [
      { id: 'trigger', type: 'trigger', typeVersion: 1 },
      { id: 'split', type: 'test-map', typeVersion: 1 },
      { id: 'control', type: 'totalcloud-control', typeVersion: 1, config: CONTROL_CONFIG },
    ],
    edges: [
      { id: 'a', source: 'trigger', target: 'split' },
      { id: 'b', source: 'split', target: 'control' },
    ],
  })
  await server.call('POST', '/api/flows', flow)
}

async function runWith(items: Record<string, unknown>[]) {
  // The trigger emits the input as one item; with several resources, run once per resource set.
  const ids: string[] = []
  for (const item of items) {
    const accepted = (await (
      await server.call('POST', '/api/flows/controls/runs', { input: item })
    ).json()) as any
    await server.waitForRun(accepted.id)
    ids.push(accepted.id)
  }
  return ids
}

describe('control results', () => {
  it('keeps the latest result per resource and the history of each', async () => {
    await createControlFlow()
    const [first] = await runWith([
      resource('db-1', true),
      resource('db-2', false),
      resource('arn:aws:rds:us-east-1:1:db:db/3', true),
    ])
    const [last] = await runWith([resource('db-1', false)])

    const latest = (await (
      await server.call('GET', '/api/flows/controls/controls/control/results')
    ).json()) as any
    expect(latest.total).toBe(3)
    const byId = Object.fromEntries(latest.items.map((r: any) => [r.resourceId, r]))
    expect(byId['db-1']).toMatchObject({
      result: 'PASS',
      runId: last,
      evidence: { keys: { id: 'db-1', name: 'resource db-1', bad: false } },
    })
    expect(byId['db-2']).toMatchObject({
      result: 'PASS',
      displayName: 'resource db-2',
      accountId: '123456789012',
      region: 'us-east-1',
    })
    expect(byId['arn:aws:rds:us-east-1:1:db:db/3'].result).toBe('FAIL')

    const failing = (await (
      await server.call('GET', '/api/flows/controls/controls/control/results?result=FAIL')
    ).json()) as any
    expect(failing.items.map((r: any) => r.resourceId)).toEqual(['arn:aws:rds:us-east-1:1:db:db/3'])

    const paged = (await (
      await server.call('GET', '/api/flows/controls/controls/control/results?limit=1&offset=1')
    ).json()) as any
    expect(paged).toMatchObject({ total: 3, limit: 1, offset: 1 })
    expect(paged.items).toHaveLength(1)

    const history = (await (
      await server.call('GET', '/api/flows/controls/controls/control/results/db-1/history')
    ).json()) as any
    expect(history.items.map((r: any) => [r.result, r.runId])).toEqual([
      ['PASS', last],
      ['FAIL', first],
    ])
    const arn = encodeURIComponent('arn:aws:rds:us-east-1:1:db:db/3')
    const arnHistory = (await (
      await server.call('GET', `/api/flows/controls/controls/control/results/${arn}/history`)
    ).json()) as any
    expect(arnHistory.total).toBe(1)
  })

  it('tells apart resources with the same id in two regions and in two accounts', async () => {
    await createControlFlow()
    const [east] = await runWith([resource('db-1', true)])
    const [west, otherAccount] = await runWith([
      resource('db-1', false, '123456789012', 'us-west-2'),
      resource('db-1', true, '210987654321', 'us-east-1'),
    ])
    const [eastAgain] = await runWith([resource('db-1', false)])

    const latest = (await (
      await server.call('GET', '/api/flows/controls/controls/control/results')
    ).json()) as any
    expect(latest.total).toBe(3)
    expect(latest.items.map((r: any) => [r.accountId, r.region, r.result, r.runId])).toEqual([
      ['123456789012', 'us-east-1', 'PASS', eastAgain],
      ['123456789012', 'us-west-2', 'PASS', west],
      ['210987654321', 'us-east-1', 'FAIL', otherAccount],
    ])
    const failing = (await (
      await server.call('GET', '/api/flows/controls/controls/control/results?result=FAIL')
    ).json()) as any
    expect(failing.items.map((r: any) => r.accountId)).toEqual(['210987654321'])
    const listed = async (query: string) =>
      (
        (await (
          await server.call('GET', `/api/flows/controls/controls/control/results${query}`)
        ).json()) as any
      ).items.map((r: any) => [r.accountId, r.region])
    expect(await listed('?accountId=123456789012')).toEqual([
      ['123456789012', 'us-east-1'],
      ['123456789012', 'us-west-2'],
    ])
    expect(await listed('?region=us-east-1&result=PASS')).toEqual([['123456789012', 'us-east-1']])
    expect(await listed('?accountId=210987654321&region=us-west-2')).toEqual([])

    const history = async (query: string) => {
      const res = await server.call(
        'GET',
        `/api/flows/controls/controls/control/results/db-1/history${query}`
      )
      return { status: res.status, body: (await res.json()) as any }
    }
    const homeEast = await history('?accountId=123456789012&region=us-east-1')
    expect(homeEast.body.items.map((r: any) => [r.result, r.runId])).toEqual([
      ['PASS', eastAgain],
      ['FAIL', east],
    ])
    // One filter is enough when it pins a single resource.
    const westOnly = await history('?region=us-west-2')
    expect(westOnly.body.items.map((r: any) => r.runId)).toEqual([west])
    const otherOnly = await history('?accountId=210987654321')
    expect(otherOnly.body.items.map((r: any) => r.runId)).toEqual([otherAccount])

    // Without filters the id names three resources: a 409 listing them, never a merged history.
    const ambiguous = await history('')
    expect(ambiguous.status).toBe(409)
    expect(ambiguous.body.error).toMatchObject({
      code: 'AMBIGUOUS_RESOURCE',
      details: {
        resourceId: 'db-1',
        matches: [
          { accountId: '123456789012', region: 'us-east-1' },
          { accountId: '123456789012', region: 'us-west-2' },
          { accountId: '210987654321', region: 'us-east-1' },
        ],
      },
    })
    expect(ambiguous.body.error.message).toMatch(/accountId=.*region=/)
    expect((await history('?region=us-east-1')).status).toBe(409)
    expect((await history('?region=eu-west-1')).body).toMatchObject({ items: [], total: 0 })
  })

  it('validates the result filter and 404s an unknown flow', async () => {
    await createControlFlow()
    const bad = await server.call('GET', '/api/flows/controls/controls/control/results?result=MAYBE')
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as any).error.message).toMatch(/^result/)
    const emptyRegion = await server.call(
      'GET',
      '/api/flows/controls/controls/control/results/x/history?region='
    )
    expect(emptyRegion.status).toBe(400)
    expect(((await emptyRegion.json()) as any).error.message).toMatch(/region/)
    expect((await server.call('GET', '/api/flows/nope/controls/control/results')).status).toBe(404)
    expect((await server.call('GET', '/api/flows/nope/controls/control/results/x/history')).status).toBe(404)
  })

  it('404s a node the flow does not have and 400s a node that is not a control', async () => {
    await createControlFlow()
    for (const path of ['/results', '/results/x/history']) {
      const missing = await server.call('GET', `/api/flows/controls/controls/nope${path}`)
      expect(missing.status).toBe(404)
      const missingError = ((await missing.json()) as any).error
      expect(missingError.code).toBe('NODE_NOT_FOUND')
      expect(missingError.message).toMatch(/"nope"/)
      const notControl = await server.call('GET', `/api/flows/controls/controls/split${path}`)
      expect(notControl.status).toBe(400)
      const notControlError = ((await notControl.json()) as any).error
      expect(notControlError.code).toBe('NOT_A_CONTROL_NODE')
      expect(notControlError.message).toMatch(/"split".*test-map/)
    }
  })

  it('returns an empty page for a control that has not run', async () => {
    await createControlFlow()
    const latest = (await (
      await server.call('GET', '/api/flows/controls/controls/control/results')
    ).json()) as any
    expect(latest).toMatchObject({ items: [], total: 0 })
  })
})
