import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sampleFlow, startTestServer, type TestServer } from '../support/server.ts'

/** Whatever a client sends, the answer is a clear 4xx in the one error shape, never a 500. */
let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ bodyLimit: 64 * 1024 })
  await server.call('POST', '/api/flows', sampleFlow({ id: 'target' }))
})
afterAll(async () => {
  await server.close()
})

async function expectError(response: Response, status: number, code?: string) {
  expect(response.status).toBe(status)
  const body = (await response.json()) as any
  expect(typeof body.error.code).toBe('string')
  expect(typeof body.error.message).toBe('string')
  if (code) expect(body.error.code).toBe(code)
  return body.error
}

describe('hostile input', () => {
  it('malformed JSON is a 400', async () => {
    await expectError(await server.call('POST', '/api/flows', '{"name": "x",'), 400, 'JSON_MALFORMED')
    await expectError(await server.call('POST', '/api/flows', 'null'), 400, 'VALIDATION_FAILED')
    await expectError(await server.call('POST', '/api/flows', '"just a string"'), 400, 'VALIDATION_FAILED')
  })

  it('an empty body where a document is needed is a 400', async () => {
    await expectError(await server.call('POST', '/api/flows'), 400, 'BODY_REQUIRED')
  })

  it('bytes that are not UTF-8 are a 400', async () => {
    const response = await server.app.request('/api/flows', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    })
    await expectError(response, 400, 'BODY_NOT_UTF8')
  })

  it('a non-JSON content type is a 415', async () => {
    const response = await server.app.request('/api/flows', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    })
    await expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE')
  })

  it('deep nesting is a 400, not a stack overflow', async () => {
    const deep = '['.repeat(20_000) + ']'.repeat(20_000)
    await expectError(
      await server.call('POST', '/api/flows/target/runs', `{"input": ${deep}}`),
      400,
      'JSON_TOO_DEEP'
    )
    let nested: unknown = 1
    for (let i = 0; i < 100; i++) nested = { a: nested }
    const flow = sampleFlow({ nodes: [{ id: 't', type: 'trigger', typeVersion: 1, config: { x: nested } }] })
    await expectError(await server.call('POST', '/api/flows', flow), 400, 'JSON_TOO_DEEP')
  })

  it('an oversize body is a 413 and the server keeps working', async () => {
    const big = { name: 'x', description: 'y'.repeat(100 * 1024) }
    const error = await expectError(await server.call('POST', '/api/flows', big), 413, 'BODY_TOO_LARGE')
    expect(error.details.limit).toBe(64 * 1024)
    expect((await server.call('GET', '/healthz')).status).toBe(200)
  })

  it('wrong types and huge numbers are 400s naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ name: 42 }, 'name'],
      [{ name: 'x', nodes: 'all of them' }, 'nodes'],
      [{ name: 'x', nodes: [{ id: 't', type: 'trigger', typeVersion: '__INF__' }] }, 'nodes.0.typeVersion'],
      [{ name: 'x', nodes: [{ id: 't', type: 'trigger', typeVersion: 2 ** 60 }] }, 'nodes.0.typeVersion'],
      [
        {
          name: 'x',
          nodes: [{ id: 't', type: 'trigger', typeVersion: 1, position: { x: '__INF__', y: 0 } }],
        },
        'nodes.0.position.x',
      ],
      [{ name: 'x', variables: [{ name: '1bad', type: 'string', value: '' }] }, 'variables.0.name'],
      [{ name: 'x', schemaVersion: 99 }, 'schemaVersion'],
      [{ name: '   ' }, 'name'],
    ]
    for (const [body, field] of cases) {
      const raw = JSON.stringify(body).replace('"__INF__"', '1e400')
      const error = await expectError(await server.call('POST', '/api/flows', raw), 400, 'VALIDATION_FAILED')
      expect(
        error.details.issues.map((issue: any) => issue.field),
        JSON.stringify(body)
      ).toContain(field)
    }
  })

  it('hostile query strings are 400s', async () => {
    for (const query of ['limit=-1', 'limit=1e9', 'offset=abc', 'limit=5&limit=6', `q=${'x'.repeat(500)}`]) {
      await expectError(await server.call('GET', `/api/flows?${query}`), 400, 'VALIDATION_FAILED')
    }
    await expectError(await server.call('GET', '/api/flows/target/versions/abc'), 400, 'VALIDATION_FAILED')
    await expectError(await server.call('GET', '/api/flows/target/versions/1e400'), 400, 'VALIDATION_FAILED')
  })

  it('odd ids and paths are 404s', async () => {
    await expectError(await server.call('GET', `/api/flows/${'x'.repeat(5000)}`), 404)
    await expectError(await server.call('GET', '/api/flows/%00'), 404)
    await expectError(await server.call('GET', '/api/flows/%E0%A4%A'), 404)
    await expectError(await server.call('GET', '/api/no-such-route'), 404, 'ROUTE_NOT_FOUND')
    await expectError(await server.call('DELETE', '/api/node-types'), 404)
  })

  it('a bad If-Match is a 400, never a lost write', async () => {
    const flow = ((await (await server.call('GET', '/api/flows/target')).json()) as any).flow
    for (const header of ['*', 'W/"x"', '"1", "2"', '']) {
      const response = await server.call(
        'PUT',
        '/api/flows/target',
        { ...flow, name: 'hijack' },
        { 'if-match': header }
      )
      expect([400, 428]).toContain(response.status)
    }
    const after = (await (await server.call('GET', '/api/flows/target')).json()) as any
    expect(after.flow.name).toBe('Sample flow')
  })

  it('a flood of concurrent runs of one flow is all stored', async () => {
    const accepted = await Promise.all(
      Array.from(
        { length: 50 },
        async () => (await (await server.call('POST', '/api/flows/target/runs', {})).json()) as any
      )
    )
    const finished = await Promise.all(accepted.map((run) => server.waitForRun(run.id)))
    expect(finished.every((run) => run.status === 'succeeded')).toBe(true)
  })
})
