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
const resource = (id: string, bad: boolean) => ({
  id,
  name: `resource ${id}`,
  bad,
  _qflow: { accountId: 'prod', awsAccountId: '123456789012', region: 'us-east-1' },
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

  it('validates the result filter and 404s an unknown flow', async () => {
    await createControlFlow()
    const bad = await server.call('GET', '/api/flows/controls/controls/control/results?result=MAYBE')
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as any).error.message).toMatch(/^result/)
    expect((await server.call('GET', '/api/flows/nope/controls/control/results')).status).toBe(404)
    expect((await server.call('GET', '/api/flows/nope/controls/control/results/x/history')).status).toBe(404)
  })

  it('returns an empty page for a control that has not run', async () => {
    await createControlFlow()
    const latest = (await (
      await server.call('GET', '/api/flows/controls/controls/control/results')
    ).json()) as any
    expect(latest).toMatchObject({ items: [], total: 0 })
  })
})
