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

const RESERVED = 'not an allowed variable name (__proto__, constructor, prototype are reserved)'

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
      [{ name: 'x', variables: [{ name: 'b', type: 'boolean', value: 'yes' }] }, 'variables.0.value'],
      [{ name: 'x', variables: [{ name: 'l', type: 'list', value: 'notalist' }] }, 'variables.0.value'],
      [{ name: 'x', variables: [{ name: 's', type: 'string', value: 5 }] }, 'variables.0.value'],
      [
        {
          name: 'x',
          variables: [
            { name: 's', type: 'string', value: 'a' },
            { name: 's', type: 'number', value: 1 },
          ],
        },
        'variables.1.name',
      ],
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

  it('every route answers a wrong type, a missing field, a non-object body or a bad query value with a 400 naming the field', async () => {
    // [method, path, body (sent as JSON; a string is sent as is), the field, the message]
    const cases: [string, string, unknown, string, string][] = [
      // Bodies that are not objects
      ['POST', '/api/flows', '42', 'body', 'expected an object, got a number'],
      ['POST', '/api/flows/import', '[]', 'body', 'expected an object, got a list'],
      ['POST', '/api/flows/target/runs', '"go"', 'body', 'expected an object, got a string'],
      ['POST', '/api/flows/target/trigger/totalcloud', '[]', 'body', 'expected an object, got a list'],
      ['POST', '/api/keys', '1', 'body', 'expected an object, got a number'],
      ['POST', '/api/accounts', '[]', 'body', 'expected an object, got a list'],
      ['PUT', '/api/accounts/demo', 'true', 'body', 'expected an object, got true or false'],
      ['POST', '/api/events', '42', 'body', 'expected an event object or a list of 1 to 100 events'],
      ['POST', '/qflowapi/v1/workflows/target/run', '[]', 'body', 'expected an object, got a list'],
      // Missing required fields
      ['POST', '/api/flows', {}, 'name', 'required'],
      ['POST', '/api/keys', { role: 'viewer' }, 'name', 'required'],
      [
        'POST',
        '/api/keys',
        { name: 'ci' },
        'role',
        'required (one of "viewer", "runner", "editor", "admin")',
      ],
      ['POST', '/api/accounts', { name: 'x' }, 'kind', 'required (one of "aws", "snapshot")'],
      ['POST', '/api/events', { 'detail-type': 'x' }, 'source', 'required'],
      // Wrong types
      ['POST', '/api/flows/target/runs', { variables: 5 }, 'variables', 'expected an object, got a number'],
      ['POST', '/api/flows/target/runs', { accounts: 'demo' }, 'accounts', 'expected a list, got a string'],
      ['POST', '/api/flows/target/runs', { accounts: [7] }, 'accounts.0', 'expected a string, got a number'],
      ['POST', '/api/flows/target/runs', { until: 3 }, 'until', 'expected a string, got a number'],
      [
        'POST',
        '/api/flows/target/runs',
        { bogus: 1 },
        'bogus',
        'unknown field (known: input, variables, accounts, regions, until)',
      ],
      // Names that are object machinery: refused by name, never silently dropped
      [
        'POST',
        '/api/flows/target/runs',
        '{"variables": {"__proto__": {"label": "x"}}}',
        'variables.__proto__',
        RESERVED,
      ],
      [
        'POST',
        '/api/flows/target/trigger/totalcloud',
        '{"variables": {"__proto__": 1}}',
        'variables.__proto__',
        RESERVED,
      ],
      [
        'POST',
        '/qflowapi/v1/workflows/target/run',
        '{"variables": {"__proto__": 1}}',
        'variables.__proto__',
        RESERVED,
      ],
      [
        'POST',
        '/qflowapi/v1/workflows/target/run',
        '{"variables": "{\\"prototype\\": 1}"}',
        'variables.prototype',
        RESERVED,
      ],
      [
        'POST',
        '/api/flows',
        { name: 'x', variables: [{ name: 'constructor', type: 'string', value: '' }] },
        'variables.0.name',
        RESERVED,
      ],
      [
        'POST',
        '/api/flows/target/trigger/totalcloud',
        { regions: 'us-east-1' },
        'regions',
        'expected a list, got a string',
      ],
      ['POST', '/api/keys', { name: 5, role: 'admin' }, 'name', 'expected a string, got a number'],
      [
        'POST',
        '/api/keys',
        { name: 'ci', role: 'root' },
        'role',
        'expected one of "viewer", "runner", "editor", "admin", got "root"',
      ],
      ['POST', '/api/accounts', { kind: 'gcp' }, 'kind', 'expected one of "aws", "snapshot", got "gcp"'],
      [
        'POST',
        '/api/events',
        { source: 'x', 'detail-type': 5 },
        'detail-type',
        'expected a string, got a number',
      ],
      [
        'POST',
        '/api/events',
        { source: 'x', 'detail-type': 'y', detail: 'z' },
        'detail',
        'expected an object, got a string',
      ],
      [
        'POST',
        '/qflowapi/v1/workflows/target/run',
        { variables: 5 },
        'variables',
        'expected an object by name or a list of {key, value} entries, got a number',
      ],
      [
        'POST',
        '/qflowapi/v1/workflows/target/run',
        { variables: { connectorId: null } },
        'variables.connectorId',
        'expected an account id or a list of them',
      ],
      [
        'POST',
        '/qflowapi/v1/workflows/target/run',
        { variables: { region: { a: 1 } } },
        'variables.region',
        'expected a region name or a list of them',
      ],
      [
        'POST',
        '/qflowapi/v1/workflows/target/run',
        { variables: { credentials: ['demo', false] } },
        'variables.credentials.1',
        'expected an account id or a list of them',
      ],
      // Bad query values
      ['GET', '/api/flows?limit=abc', undefined, 'limit', 'expected a number'],
      ['GET', '/api/flows?limit=0', undefined, 'limit', 'expected at least 1'],
      ['GET', '/api/flows?limit=501', undefined, 'limit', 'expected at most 500'],
      ['GET', '/api/flows?limit=1.5', undefined, 'limit', 'expected an integer, got a number'],
      ['GET', '/api/flows/target/versions?offset=-1', undefined, 'offset', 'expected at least 0'],
      [
        'GET',
        '/api/flows/target/runs?status=done',
        undefined,
        'status',
        'expected one of queued, running, succeeded, failed, cancelled, got "done"',
      ],
      [
        'GET',
        '/api/flows/target/runs?status=queued,nope',
        undefined,
        'status',
        'expected one of queued, running, succeeded, failed, cancelled, got "nope"',
      ],
      [
        'GET',
        '/api/flows/target/controls/control/results?result=OK',
        undefined,
        'result',
        'expected one of PASS, FAIL, ERROR, got "OK"',
      ],
      [
        'GET',
        '/api/flows/target/controls/control/results/db-1/history?region=',
        undefined,
        'region',
        'must not be empty',
      ],
      ['POST', '/api/flows/target/runs?wait=soon', {}, 'wait', 'expected a number'],
      ['POST', '/api/flows/import?newId=maybe', {}, 'newId', 'expected one of "true", "false", got "maybe"'],
      [
        'GET',
        '/api/keys?includeRevoked=yes',
        undefined,
        'includeRevoked',
        'expected one of "true", "false", got "yes"',
      ],
      ['GET', '/qflowapi/v1/workflows?pageSize=all', undefined, 'pageSize', 'expected a number'],
      ['GET', '/qflowapi/v1/workflows?pageNumber=0', undefined, 'pageNumber', 'expected at least 1'],
      [
        'GET',
        '/qflowapi/v1/workflows?startAt=yesterday',
        undefined,
        'startAt',
        'expected an ISO date (2026-01-31), an ISO date and time with its zone (2026-01-31T12:00:00Z), ' +
          'epoch milliseconds (13 digits) or epoch seconds (10 digits), got "yesterday"',
      ],
      [
        'GET',
        '/qflowapi/v1/workflows?order=size',
        undefined,
        'order',
        'one of createdAt, updatedAt, name (prefix - for descending)',
      ],
      [
        'GET',
        '/qflowapi/v1/workflows/target/executions?query=status:%20Done',
        undefined,
        'query',
        'status is one of Queued, Running, Success, Failed, Cancelled',
      ],
      [
        'GET',
        '/qflowapi/v1/executions/x?includeSteps=1',
        undefined,
        'includeSteps',
        'expected one of "true", "false", got "1"',
      ],
      [
        'GET',
        '/qflowapi/v1/workflows?query=deployed:%20maybe',
        undefined,
        'query',
        'deployed is true or false, not "maybe"',
      ],
      [
        'GET',
        '/qflowapi/v1/workflows?startAt=2026-01-02T00:00:00Z&endAt=2025-01-01T00:00:00Z',
        undefined,
        'endAt',
        'must not be before startAt',
      ],
    ]
    for (const [method, path, body, field, message] of cases) {
      const sent = typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body)
      const error = await expectError(await server.call(method, path, sent), 400, 'VALIDATION_FAILED')
      const label = `${method} ${path} ${sent ?? ''}`
      expect(error.message.replace(/ \(and \d+ more\)$/, ''), label).toBe(`${field}: ${message}`)
      expect(error.details.issues[0].field, label).toBe(field)
    }
    // None of it touched the stored flow or started a run.
    expect(((await (await server.call('GET', '/api/flows/target')).json()) as any).version).toBe(1)
    expect(((await (await server.call('GET', '/api/flows/target/runs')).json()) as any).total).toBe(0)
  })

  it('hostile query strings are 400s', async () => {
    for (const query of ['limit=-1', 'limit=1e9', 'offset=abc', 'limit=5&limit=6', `q=${'x'.repeat(500)}`]) {
      await expectError(await server.call('GET', `/api/flows?${query}`), 400, 'VALIDATION_FAILED')
    }
    await expectError(await server.call('GET', '/api/flows/target/versions/abc'), 400, 'VALIDATION_FAILED')
    await expectError(await server.call('GET', '/api/flows/target/versions/1e400'), 400, 'VALIDATION_FAILED')
  })

  it('odd ids and paths are 404s', async () => {
    const long = await expectError(await server.call('GET', `/api/flows/${'x'.repeat(5000)}`), 404)
    expect(long.message.length).toBeLessThan(300)
    await expectError(await server.call('GET', '/api/flows/%00'), 404)
    await expectError(await server.call('GET', '/api/flows/%E0%A4%A'), 404)
    await expectError(await server.call('GET', '/api/no-such-route'), 404, 'ROUTE_NOT_FOUND')
    // A route that exists with other methods says which (405 with Allow), see http-edges.test.ts.
    await expectError(await server.call('DELETE', '/api/node-types'), 405, 'METHOD_NOT_ALLOWED')
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
