import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { warnDeployedFlowProblems } from '../../server/flows/deployed-problems.ts'
import { sampleFlow, startTestServer, type TestServer } from '../support/server.ts'

let server: TestServer
beforeEach(async () => {
  server = await startTestServer()
})
afterEach(async () => {
  await server.close()
})

/**
 * A flow saved before the schema checked variable values: written straight into the database,
 * as an older server would have stored it, past the checks the API makes today.
 */
async function storeWithBadVariable(deployed: boolean): Promise<string> {
  const created = await server.call('POST', '/api/flows', sampleFlow({ deployed }))
  expect(created.status).toBe(201)
  const { flow } = (await created.json()) as any
  const variables = [
    { name: 'label', type: 'string', value: 'hello' },
    { name: 'strict', type: 'boolean', value: 'yes' },
  ]
  await server.ctx.database.client.execute({
    sql: `UPDATE flows SET document = json_set(document, '$.variables', json(?)) WHERE id = ?`,
    args: [JSON.stringify(variables), flow.id],
  })
  return flow.id
}

describe('flows stored before today’s checks', () => {
  it('report a variable value not of its type as a problem naming variables.N.value, and do not run', async () => {
    const flowId = await storeWithBadVariable(false)
    const read = (await (await server.call('GET', `/api/flows/${flowId}`)).json()) as any
    expect(read.flow.variables[1].value).toBe('yes')
    expect(read.problems).toEqual([
      {
        code: 'VARIABLE_INVALID',
        field: 'variables.1.value',
        message: 'variables.1.value: expected true or false for a boolean variable',
      },
    ])
    const run = await server.call('POST', `/api/flows/${flowId}/runs`, {})
    expect(run.status).toBe(400)
    const body = (await run.json()) as any
    expect(body.error.code).toBe('FLOW_INVALID')
    expect(body.error.details.problems[0].field).toBe('variables.1.value')
    // A run till one node is refused too: the variables are the whole flow's.
    const partial = await server.call('POST', `/api/flows/${flowId}/runs`, { until: 'emit' })
    expect(partial.status).toBe(400)
    const history = (await (await server.call('GET', `/api/flows/${flowId}/runs`)).json()) as any
    expect(history.total).toBe(0)
  })

  it('are named at boot, one warning per deployed flow with problems', async () => {
    const broken = await storeWithBadVariable(true)
    await server.call('POST', '/api/flows', sampleFlow({ deployed: true, name: 'Fine' }))
    const lines: string[] = []
    const reported = await warnDeployedFlowProblems(
      server.ctx.database.db,
      server.ctx.registry,
      (level, message) => lines.push(`${level} ${message}`)
    )
    expect(reported).toBe(1)
    expect(lines).toEqual([
      `warn deployed flow ${broken} has problems, so its runs are refused: variables.1.value: expected true or false for a boolean variable`,
    ])
  })
})
