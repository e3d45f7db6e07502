import { afterEach, describe, expect, it } from 'vitest'
import { chainFlow, startTestServer, type TestServer } from '../support/runtime-server.ts'

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function withFlows() {
  server = await startTestServer()
  await server.call('POST', '/api/flows', {
    body: {
      ...chainFlow('rds', {}, [['test-add', { step: 1 }]]),
      name: 'Publicly accessible RDS DB Instances',
      variables: [{ name: 'threshold', type: 'number', value: 1 }],
    },
  })
  await server.call('POST', '/api/flows', {
    body: { ...chainFlow('sg'), name: 'Security groups open to the world' },
  })
  return server
}

describe('/qflowapi/v1 (the public QFlow API, mirrored)', () => {
  it('lists workflows with pageSize/pageNumber, a QQL name filter and order', async () => {
    const s = await withFlows()
    const all = await s.call('GET', '/qflowapi/v1/workflows?pageSize=10&pageNumber=1&order=name')
    expect(all.status).toBe(200)
    expect(all.body.total).toBe(2)
    expect(all.body.items.map((w: { name: string }) => w.name)).toEqual([
      'Publicly accessible RDS DB Instances',
      'Security groups open to the world',
    ])
    expect(all.body.items[0]).toMatchObject({ id: 'rds', status: 'UNDEPLOYED', customerId: 'qflow' })
    const byName = await s.call(
      'GET',
      `/qflowapi/v1/workflows?pageSize=1&pageNumber=1&query=${encodeURIComponent('qflow.name: Publicly accessible')}`
    )
    expect(byName.body).toMatchObject({ total: 1, items: [{ id: 'rds' }] })
    const page2 = await s.call('GET', '/qflowapi/v1/workflows?pageSize=1&pageNumber=2&order=-name')
    expect(page2.body.items.map((w: { id: string }) => w.id)).toEqual(['rds'])
    const bad = await s.call('GET', '/qflowapi/v1/workflows?pageSize=0&pageNumber=1')
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toMatch(/^pageSize:/)
    expect((await s.call('GET', '/qflowapi/v1/workflows?query=owner:%20me')).body.error.message).toMatch(
      /^query:/
    )
    expect((await s.call('GET', '/qflowapi/v1/workflows/rds')).body.data).toMatchObject({
      id: 'rds',
      version: 1,
    })
    expect((await s.call('GET', '/qflowapi/v1/workflows/nope')).status).toBe(404)
  })

  it('takes startAt/endAt as ISO dates, ISO date-times with a zone, epoch ms or epoch seconds', async () => {
    const s = await withFlows()
    const created = (await s.call('GET', '/qflowapi/v1/workflows/rds')).body.data.createdAt as number
    const day = new Date(created).toISOString().slice(0, 10)
    const totalFor = async (query: string) => {
      const answer = await s.call('GET', `/qflowapi/v1/workflows?${query}`)
      expect(answer.status, query).toBe(200)
      return answer.body.total as number
    }
    const hour = 3_600_000
    expect(await totalFor(`startAt=${created - hour}`)).toBe(2)
    expect(await totalFor(`startAt=${created + hour}`)).toBe(0)
    expect(await totalFor(`endAt=${Math.floor((created - hour) / 1000)}`)).toBe(0)
    expect(await totalFor(`startAt=${Math.floor((created - hour) / 1000)}&endAt=${created + hour}`)).toBe(2)
    // A bare date spans its whole UTC day: as endAt it includes that day.
    expect(await totalFor(`startAt=${day}&endAt=${day}`)).toBe(2)
    expect(await totalFor(`endAt=${new Date(created - 86_400_000).toISOString().slice(0, 10)}`)).toBe(0)
    const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString().replace('Z', '+00:00'))
    expect(await totalFor(`startAt=${iso(created - hour)}&endAt=${iso(created + hour)}`)).toBe(2)
    expect(await totalFor(`startAt=${new Date(created + hour).toISOString()}`)).toBe(0)
    // The executions list reads the same parameters.
    const executions = await s.call('GET', `/qflowapi/v1/workflows/rds/executions?startAt=${created - hour}`)
    expect(executions.body).toMatchObject({ total: 0, items: [] })

    const refused = async (query: string) => {
      const answer = await s.call('GET', `/qflowapi/v1/workflows?${query}`)
      expect(answer.status, query).toBe(400)
      expect(answer.body.error.code).toBe('VALIDATION_FAILED')
      return answer.body.error.message as string
    }
    // A time without a zone would be read in the server's zone: refused, not guessed.
    expect(await refused('startAt=2026-01-31T12:00:00')).toMatch(/^startAt: add the time zone/)
    // 11 or 12 digits could be either unit.
    expect(await refused('endAt=170000000000')).toMatch(/^endAt: expected an ISO date .* epoch seconds/)
    expect(await refused('startAt=2026-02-30')).toMatch(/^startAt: /)
    expect(await refused('startAt=yesterday')).toMatch(/^startAt: .*got "yesterday"/)
    expect(await refused(`startAt=${created}&endAt=${created - 1}`)).toBe('endAt: must not be before startAt')
  })

  it('runs a workflow with input and variables and answers with the public envelope', async () => {
    const s = await withFlows()
    // A run may only name accounts that exist.
    const account = await s.call('POST', '/api/accounts', {
      body: {
        id: 'acct-1',
        name: 'one',
        kind: 'snapshot',
        files: { 'rds.DescribeDBInstances.json': { DBInstances: [] } },
      },
    })
    expect(account.status).toBe(201)
    const ran = await s.call('POST', '/qflowapi/v1/workflows/rds/run', {
      body: {
        input: '{"buckets":["a","b"]}',
        variables: { threshold: 5, region: 'eu-west-1', connectorId: 'acct-1' },
      },
    })
    expect(ran.status).toBe(202)
    expect(ran.body.data).toMatchObject({
      customerId: 'qflow',
      workflowId: 'rds',
      input: { buckets: ['a', 'b'] },
      forceRun: true,
      source: 'PUBLIC_API',
    })
    expect(ran.body.data.overrideVariables).toEqual(
      expect.arrayContaining([
        { key: 'threshold', value: 5, type: 'user-defined' },
        { key: 'region', value: 'eu-west-1', type: 'system' },
        { key: 'connectorId', value: 'acct-1', type: 'system' },
      ])
    )
    const run = await s.ctx.runs.get(ran.body.data.executionId)
    expect(run).toMatchObject({ regions: ['eu-west-1'], accounts: ['acct-1'], variables: { threshold: 5 } })
    const badVariable = await s.call('POST', '/qflowapi/v1/workflows/rds/run', {
      body: { variables: { nope: 1 } },
    })
    expect(badVariable.status).toBe(400)
  })

  it('takes variables as a list of {key, value} entries too, the shape of overrideVariables', async () => {
    const s = await withFlows()
    for (const id of ['acct-1', 'acct-2']) {
      const account = await s.call('POST', '/api/accounts', {
        body: {
          id,
          name: id,
          kind: 'snapshot',
          files: { 'rds.DescribeDBInstances.json': { DBInstances: [] } },
        },
      })
      expect(account.status).toBe(201)
    }
    const ran = await s.call('POST', '/qflowapi/v1/workflows/rds/run', {
      body: {
        variables: [
          { key: 'threshold', value: 5, type: 'user-defined' },
          { name: 'region', value: 'eu-west-1' },
          { key: 'connectorId', value: 'acct-1', type: 'system' },
          { key: 'connectorId', value: 'acct-2', type: 'system' },
        ],
      },
    })
    expect(ran.status).toBe(202)
    const run = await s.ctx.runs.get(ran.body.data.executionId)
    expect(run).toMatchObject({
      regions: ['eu-west-1'],
      accounts: ['acct-1', 'acct-2'],
      variables: { threshold: 5 },
    })
    // An answer's overrideVariables, sent back as they are, ask for the same run settings.
    const again = await s.call('POST', '/qflowapi/v1/workflows/rds/run', {
      body: { variables: ran.body.data.overrideVariables },
    })
    expect(again.status).toBe(202)
    expect(await s.ctx.runs.get(again.body.data.executionId)).toMatchObject({
      regions: ['eu-west-1'],
      accounts: ['acct-1', 'acct-2'],
      variables: { threshold: 5 },
    })
    // A list inside a string, as `input` may be sent.
    const asText = await s.call('POST', '/qflowapi/v1/workflows/rds/run', {
      body: { variables: JSON.stringify([{ key: 'threshold', value: '7' }]) },
    })
    expect(asText.status).toBe(202)

    const refused = async (variables: unknown, code = 'VALIDATION_FAILED') => {
      const answer = await s.call('POST', '/qflowapi/v1/workflows/rds/run', { body: { variables } })
      expect(answer.status, JSON.stringify(variables)).toBe(400)
      expect(answer.body.error.code, JSON.stringify(variables)).toBe(code)
      return answer.body.error.message as string
    }
    expect(await refused([{ value: 1 }])).toMatch(/^variables\.0\.key: required/)
    expect(await refused([{ key: 'threshold' }])).toBe('variables.0.value: required')
    expect(
      await refused([
        { key: 'threshold', value: 1 },
        { key: 'threshold', value: 2 },
      ])
    ).toBe('variables.1.key: "threshold" is given twice (also at variables.0)')
    expect(await refused([{ key: 'threshold', value: 1, scope: 'x' }])).toBe(
      'variables.0.scope: unknown field (known: key, name, value, type)'
    )
    expect(await refused([{ key: 'a', name: 'b', value: 1 }])).toBe(
      'variables.0.name: differs from key; send one of them'
    )
    expect(await refused([{ key: 'th-reshold', value: 1 }])).toMatch(/^variables\.0\.key: a variable name is/)
    expect(await refused([{ key: '__proto__', value: {} }])).toMatch(
      /^variables\.0\.key: not an allowed variable name/
    )
    expect(
      await refused([
        { key: 'region', value: 'eu-west-1' },
        { key: 'region', value: { a: 1 } },
      ])
    ).toBe('variables.1.value: expected a region name or a list of them')
    expect(await refused([{ key: 'connectorId', value: ['acct-1', null] }])).toBe(
      'variables.0.value.1: expected an account id or a list of them'
    )
    expect(await refused([5])).toBe('variables.0: expected an object, got a number')
    expect(await refused(true)).toBe(
      'variables: expected an object by name or a list of {key, value} entries, got true or false'
    )
    // Values still go through the flow's typed variables; names must be declared.
    expect(await refused([{ key: 'threshold', value: 'many' }], 'VARIABLES_INVALID')).toBe(
      'variables.threshold: expected a number'
    )
    expect(await refused([{ key: 'nope', value: 1 }], 'VARIABLES_INVALID')).toBe(
      'variables.nope: the flow declares no variable "nope"'
    )
  })

  it('lists executions, shows one with its steps, a step, and the step output', async () => {
    const s = await withFlows()
    const ran = await s.call('POST', '/qflowapi/v1/workflows/rds/run', { body: { input: { n: 1 } } })
    const id = ran.body.data.executionId
    expect(await s.ctx.waitForRun(id, 5000)).toBe(true)

    const list = await s.call(
      'GET',
      '/qflowapi/v1/workflows/rds/executions?pageSize=5&pageNumber=1&query=status:%20Success'
    )
    expect(list.body).toMatchObject({
      total: 1,
      items: [{ id, execution: id, workflow: 'rds', status: 'Success' }],
    })
    const none = await s.call(
      'GET',
      '/qflowapi/v1/workflows/rds/executions?pageSize=5&pageNumber=1&query=status:%20Failed'
    )
    expect(none.body.total).toBe(0)

    const withoutSteps = await s.call('GET', `/qflowapi/v1/executions/${id}?includeSteps=false`)
    expect(withoutSteps.body.data).not.toHaveProperty('steps')
    const details = await s.call('GET', `/qflowapi/v1/executions/${id}?includeSteps=true`)
    expect(
      details.body.data.steps.map((step: { nodeId: string; eventOrder: number }) => [
        step.nodeId,
        step.eventOrder,
      ])
    ).toEqual([
      ['trigger', 1],
      ['n1', 2],
    ])
    const step = await s.call('GET', `/qflowapi/v1/executions/${id}/steps/n1`)
    expect(step.body).toMatchObject({ nodeId: 'n1', nodeType: 'test-add', execution: id, status: 'Success' })
    const output = await s.call('GET', `/qflowapi/v1/executions/${id}/steps/n1/output`)
    expect(output.body).toEqual([
      expect.objectContaining({
        executionId: id,
        workflowId: 'rds',
        port: 'out',
        input: { collection: [{ n: 2 }] },
      }),
    ])
    expect((await s.call('GET', `/qflowapi/v1/executions/${id}/steps/zz`)).status).toBe(404)
    expect((await s.call('GET', '/qflowapi/v1/executions/nope')).status).toBe(404)
  })
})
