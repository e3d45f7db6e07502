import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PUBLIC_API_QUERY } from '../../server/compat/query-params.ts'
import { QflowClient } from '../../ui/src/api/client.ts'
import { sampleFlow, startTestServer, type TestServer } from '../support/server.ts'

/** Query parameters: every route refuses names it does not take, naming them and what it takes. */
let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
  await server.call('POST', '/api/flows', sampleFlow({ id: 'target' }))
})
afterAll(async () => {
  await server.close()
})

async function errorOf(method: string, path: string, body?: unknown) {
  const response = await server.call(method, path, body)
  const answer = (await response.json()) as any
  expect(response.status, `${method} ${path}`).toBe(400)
  expect(answer.error.code, `${method} ${path}`).toBe('VALIDATION_FAILED')
  return answer.error
}

/** A concrete path for a route pattern: `:side{input|output}` takes its first choice, others a name. */
function pathOf(pattern: string): string {
  return pattern.replace(/:(\w+)\{([^|}]+)[^}]*\}/g, '$2').replace(/:(\w+)/g, (_all, name) => `${name}-x`)
}

describe('query parameters', () => {
  it('every API route refuses a name it does not take, before doing anything', async () => {
    const routes = server.app.routes.filter(
      (route) => route.method !== 'ALL' && /^\/(api|qflowapi)\//.test(route.path)
    )
    // Sanity: the sweep sees the routes of both APIs.
    expect(routes.length).toBeGreaterThan(30)
    for (const route of routes) {
      const path = `${pathOf(route.path)}?zzz=1`
      const error = await errorOf(route.method, path, route.method === 'GET' ? undefined : {})
      expect(error.message, `${route.method} ${route.path}`).toMatch(
        /^zzz: unknown query parameter; this route takes /
      )
      expect(error.details.issues.map((issue: any) => issue.field)).toEqual(['zzz'])
    }
    // Nothing was created, changed or started on the way.
    const flows = (await (await server.call('GET', '/api/flows')).json()) as any
    expect(flows.items.map((flow: any) => [flow.id, flow.version])).toEqual([['target', 1]])
    expect(((await (await server.call('GET', '/api/flows/target/runs')).json()) as any).total).toBe(0)
  })

  it('names each unknown parameter and lists the accepted ones', async () => {
    const error = await errorOf('GET', '/api/flows/target/runs?limt=5&status=failed&sort=asc')
    expect(error.message).toBe(
      'limt: unknown query parameter; this route takes limit, offset, status, partial (and 1 more)'
    )
    expect(error.details.issues.map((issue: any) => issue.field)).toEqual(['limt', 'sort'])
    expect(error.details.accepted).toEqual(['limit', 'offset', 'status', 'partial'])
    expect((await errorOf('GET', '/api/flows/target?version=2')).message).toBe(
      'version: unknown query parameter; this route takes none'
    )
    // Names a plain object would swallow are named too.
    expect((await errorOf('GET', '/api/flows?__proto__=1')).details.issues[0].field).toBe('__proto__')
    expect((await errorOf('GET', '/api/flows?constructor=1')).details.issues[0].field).toBe('constructor')
    expect((await errorOf('GET', '/api/node-types?=1')).details.issues[0].field).toBe(
      '(a parameter without a name)'
    )
  })

  it('a single-valued parameter given twice is named as repeated; a list may repeat', async () => {
    const error = await errorOf('GET', '/api/flows/target/runs?limit=1&limit=2')
    expect(error.message).toBe('limit: given more than once (2 times); give it once')
    expect((await errorOf('GET', '/qflowapi/v1/workflows?pageSize=1&pageSize=2')).message).toMatch(
      /^pageSize: given more than once/
    )
    const listed = await server.call('GET', '/api/flows/target/runs?status=failed&status=succeeded')
    expect(listed.status).toBe(200)
  })

  it('keeps taking the parameters each route documents', async () => {
    const ok = async (method: string, path: string, status = 200) => {
      const response = await server.call(method, path, method === 'GET' ? undefined : {})
      expect(response.status, `${method} ${path}: ${await response.clone().text()}`).toBe(status)
      return response.json() as Promise<any>
    }
    await ok('GET', '/api/flows?q=sample&category=rds&limit=5&offset=0')
    await ok('GET', '/api/flows/target/versions?limit=1&offset=0')
    await ok('GET', '/api/keys?includeRevoked=true')
    const finished = await ok('POST', '/api/flows/target/runs?wait=10', 200)
    expect(finished.status).toBe('succeeded')
    await ok('GET', '/api/flows/target/runs?limit=1&offset=0&status=succeeded,failed')
    const control = sampleFlow().nodes!.find((node) => node.type === 'totalcloud-control')!.id
    await ok('GET', `/api/flows/target/controls/${control}/results?result=FAIL&limit=5&offset=0`)
    await ok(
      'GET',
      `/api/flows/target/controls/${control}/results/db-1/history?accountId=demo&region=us-east-1`
    )

    // The public API's documented parameters, on the routes that document them.
    const runId = finished.id
    const documented = new URLSearchParams({
      pageSize: '5',
      pageNumber: '1',
      query: 'qflow.name: sample',
      startAt: '0000000000',
      endAt: '2286-01-01',
      order: '-name',
    })
    expect([...documented.keys()].sort()).toEqual([...PUBLIC_API_QUERY.workflows].sort())
    await ok('GET', `/qflowapi/v1/workflows?${documented}`)
    const executions = await ok(
      'GET',
      '/qflowapi/v1/workflows/target/executions?pageSize=5&pageNumber=1&offset=0&query=status:%20Success&startAt=2026-01-01&order=createdAt'
    )
    expect(executions.items.map((item: any) => item.id)).toContain(runId)
    const details = await ok('GET', `/qflowapi/v1/executions/${runId}?includeSteps=true`)
    expect(details.data.steps.length).toBeGreaterThan(0)
  })

  it('the public API routes refuse names neither API knows, in the same shape', async () => {
    const error = await errorOf('GET', '/qflowapi/v1/workflows?pageSize=5&limit=5')
    expect(error.message).toBe(
      'limit: unknown query parameter; this route takes pageSize, pageNumber, offset, query, startAt, endAt, order'
    )
    expect((await errorOf('GET', '/qflowapi/v1/executions/x?steps=true')).message).toBe(
      'steps: unknown query parameter; this route takes includeSteps'
    )
    expect((await errorOf('POST', '/qflowapi/v1/workflows/target/run?wait=5', {})).message).toBe(
      'wait: unknown query parameter; this route takes none'
    )
  })

  it("the editor's API client sends only parameters the routes take", async () => {
    const client = new QflowClient({
      baseUrl: 'http://qflow.test',
      fetch: async (url, init) => server.app.request(String(url), init),
    })
    const listed = await client.listFlows({ q: 'sample', category: 'rds', limit: 200, offset: 0 })
    expect(listed.items.map((flow) => flow.id)).toContain('target')
    const runs = await client.listRuns('target', { limit: 1, offset: 0, status: 'succeeded' })
    expect(runs.items.length).toBe(1)
    const copy = await client.importFlowCopy(await client.exportFlow('target'))
    expect(copy.flow.id).not.toBe('target')
  })
})
