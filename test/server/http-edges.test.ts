import { afterEach, describe, expect, it } from 'vitest'
import { chainFlow, startTestServer, type TestServer } from '../support/runtime-server.ts'

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

describe('HTTP edges', () => {
  it('refuses control characters in a flow name, naming name', async () => {
    server = await startTestServer()
    for (const name of ['before\u0000after', 'two\nlines', 'tab\there', 'del\u007f']) {
      const refused = await server.call('POST', '/api/flows', { body: { ...chainFlow('f'), name } })
      expect(refused.status).toBe(400)
      expect(refused.body.error.message).toBe('name: a flow name cannot contain control characters')
    }
    expect(
      (await server.call('POST', '/api/flows', { body: { ...chainFlow('f'), name: 'Ünïcode ✓' } })).status
    ).toBe(201)
  })

  it('answers another method on an existing API route with 405 and Allow, an unknown path with 404', async () => {
    server = await startTestServer()
    await server.call('POST', '/api/flows', { body: chainFlow('f') })
    const patched = await server.call('PATCH', '/api/flows/f', { body: { name: 'x' } })
    expect(patched.status).toBe(405)
    expect(patched.headers.get('allow')).toBe('DELETE, GET, HEAD, PUT')
    expect(patched.body.error).toMatchObject({
      code: 'METHOD_NOT_ALLOWED',
      details: { allowed: ['DELETE', 'GET', 'HEAD', 'PUT'] },
    })
    const options = await server.call('OPTIONS', '/api/flows')
    expect(options.status).toBe(405)
    expect(options.headers.get('allow')).toBe('GET, HEAD, POST')
    expect((await server.call('PATCH', '/qflowapi/v1/workflows')).headers.get('allow')).toMatch(/GET/)
    const missing = await server.call('PATCH', '/api/nowhere')
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('ROUTE_NOT_FOUND')
  })

  it('refuses a compressed body with 415 naming Content-Encoding', async () => {
    server = await startTestServer()
    const gzip = await server.call('POST', '/api/flows', {
      body: '\u001f\u008b',
      headers: { 'content-encoding': 'gzip' },
    })
    expect(gzip.status).toBe(415)
    expect(gzip.headers.get('accept-encoding')).toBe('identity')
    expect(gzip.body.error).toMatchObject({
      code: 'UNSUPPORTED_CONTENT_ENCODING',
      details: { field: 'Content-Encoding' },
    })
    expect(gzip.body.error.message).toMatch(/^Content-Encoding: gzip/)
    const identity = await server.call('POST', '/api/flows', {
      body: chainFlow('plain'),
      headers: { 'content-encoding': 'identity' },
    })
    expect(identity.status).toBe(201)
  })

  it('says which setting sets the body limit', async () => {
    server = await startTestServer()
    const big = await server.call('POST', '/api/flows', { body: { name: 'x'.repeat(2 * 1024 * 1024) } })
    expect(big.status).toBe(413)
    expect(big.body.error.message).toMatch(/QFLOW_BODY_LIMIT/)
  })
})
