import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chainFlow, startTestServer, type TestServer } from '../support/runtime-server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
  const created = await server.call('POST', '/api/flows', { body: chainFlow('flow') })
  expect(created.status).toBe(201)
})
afterAll(() => server.close())

const runs = async () => (await server.call('GET', '/api/flows/flow/runs')).body.items.length

describe('run requests name only accounts that exist and regions that look like regions', () => {
  it('answers 400 naming accounts for an unknown account, and starts no run', async () => {
    const res = await server.call('POST', '/api/flows/flow/runs', { body: { accounts: ['demo', 'nope'] } })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'accounts.1: no account with id "nope"',
    })
    expect(await runs()).toBe(0)
  })

  it('answers 400 naming regions for a name that is not an AWS region', async () => {
    for (const region of ['mars', 'US-EAST-1', 'us-east', '../etc']) {
      const res = await server.call('POST', '/api/flows/flow/runs', {
        body: { regions: ['us-east-1', region] },
      })
      expect(res.status, region).toBe(400)
      expect(res.body.error.message).toMatch(/^regions\.1: a region looks like us-east-1/)
    }
    expect(await runs()).toBe(0)
  })

  it('accepts a known account with real region names', async () => {
    const res = await server.call('POST', '/api/flows/flow/runs', {
      body: { accounts: ['demo'], regions: ['eu-west-1', 'ap-southeast-2', 'us-gov-west-1'] },
    })
    expect(res.status).toBe(202)
  })

  it('checks the public API run the same way, naming the variable that carried them', async () => {
    const unknown = await server.call('POST', '/qflowapi/v1/workflows/flow/run', {
      body: { variables: { connectorId: ['nope'] } },
    })
    expect(unknown.status).toBe(400)
    expect(unknown.body.error.message).toBe('variables.connectorId.0: no account with id "nope"')
    const older = await server.call('POST', '/qflowapi/v1/workflows/flow/run', {
      body: { variables: { credentials: 'nope' } },
    })
    expect(older.body.error.message).toBe('variables.credentials.0: no account with id "nope"')
    const region = await server.call('POST', '/qflowapi/v1/workflows/flow/run', {
      body: { variables: { connectorId: 'demo', region: 'moon-base' } },
    })
    expect(region.status).toBe(400)
    expect(region.body.error.message).toBe('variables.region.0: a region looks like us-east-1')
    const ok = await server.call('POST', '/qflowapi/v1/workflows/flow/run', {
      body: { variables: { connectorId: 'demo', region: 'us-east-1' } },
    })
    expect(ok.status).toBe(202)
  })
})
