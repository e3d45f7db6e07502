import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ELEMENT_ID_RULE } from '../../core/flow/schema.ts'
import { sampleFlow, startTestServer, type TestServer } from '../support/server.ts'

let server: TestServer
beforeEach(async () => {
  server = await startTestServer()
})
afterEach(async () => {
  await server.close()
})

async function refusal(method: string, path: string, body: unknown, headers?: Record<string, string>) {
  const response = await server.call(method, path, body, headers)
  expect(response.status).toBe(400)
  return ((await response.json()) as any).error
}

describe('unknown fields in a flow document', () => {
  it('are refused one by one, naming the path and the field probably meant', async () => {
    const flow = sampleFlow()
    const error = await refusal('POST', '/api/flows/validate', {
      name: 'x',
      varaibles: flow.variables,
      nodes: [{ ...flow.nodes![0]!, labell: 'z' }],
    })
    expect(error.code).toBe('VALIDATION_FAILED')
    expect(error.details.issues).toEqual([
      { field: 'nodes.0.labell', message: 'unknown field; did you mean `label`?' },
      { field: 'varaibles', message: 'unknown field; did you mean `variables`?' },
    ])
  })

  it('refuses `node` for `nodes` instead of saving a flow without nodes', async () => {
    const { nodes, ...rest } = sampleFlow()
    const error = await refusal('POST', '/api/flows', { ...rest, node: nodes })
    expect(error.message).toBe('node: unknown field; did you mean `nodes`?')
    const list = (await (await server.call('GET', '/api/flows')).json()) as any
    expect(list.total).toBe(0)
  })

  it('names unknown fields in edges, variables, positions and the plugin record', async () => {
    const flow = sampleFlow()
    const cases: [unknown, string][] = [
      [{ ...flow, edges: [{ ...flow.edges![0]!, sourceport: 'out' }] }, 'edges.0.sourceport'],
      [{ ...flow, variables: [{ name: 'a', type: 'string', value: '', scope: 'run' }] }, 'variables.0.scope'],
      [{ ...flow, nodes: [{ ...flow.nodes![0]!, position: { x: 0, y: 0, z: 1 } }] }, 'nodes.0.position.z'],
      [
        { ...flow, nodes: [{ ...flow.nodes![0]!, plugin: { name: 'p', versoin: '1' } }] },
        'nodes.0.plugin.versoin',
      ],
    ]
    for (const [body, field] of cases) {
      const error = await refusal('POST', '/api/flows/validate', body)
      expect(error.details.issues.map((issue: any) => issue.field)).toEqual([field])
    }
  })

  it('refuses a __proto__ key in a node config rather than dropping it', async () => {
    const body = `{"name":"x","nodes":[{"id":"t","type":"trigger","typeVersion":1,"config":{"__proto__":{"kind":"cron"}}}]}`
    const response = await server.call('POST', '/api/flows', JSON.parse(body))
    expect(response.status).toBe(400)
    const error = ((await response.json()) as any).error
    expect(error.message).toMatch(/^nodes\.0\.config\.__proto__: not an allowed config key/)
  })

  it('takes back what GET answers (as its flow) and what export gives, unchanged', async () => {
    const created = await server.call('POST', '/api/flows', sampleFlow({ id: 'again' }))
    expect(created.status).toBe(201)
    const read = (await (await server.call('GET', '/api/flows/again')).json()) as any
    const put = await server.call('PUT', '/api/flows/again', read.flow, { 'if-match': String(read.version) })
    expect(put.status).toBe(200)
    expect(((await put.json()) as any).flow).toEqual(read.flow)

    const exported = await (await server.call('GET', '/api/flows/again/export')).json()
    const imported = await server.call('POST', '/api/flows/import?newId=true', exported)
    expect(imported.status).toBe(201)
    const copy = ((await imported.json()) as any).flow
    expect({ ...copy, id: 'again' }).toEqual(exported)
  })

  it('answers a whole GET answer sent back with what to send instead', async () => {
    await server.call('POST', '/api/flows', sampleFlow({ id: 'wrapped' }))
    const read = (await (await server.call('GET', '/api/flows/wrapped')).json()) as any
    const imported = await refusal('POST', '/api/flows/import?newId=true', read)
    expect(imported.message).toBe(
      'flow: send the flow document itself (the "flow" of a GET answer), not {flow: ...}'
    )
    const put = await refusal('PUT', '/api/flows/wrapped', read, { 'if-match': String(read.version) })
    expect(put.details.issues[0].field).toBe('flow')
  })

  it('stored with an unknown field, still loads and reports it as a problem, and does not run', async () => {
    const created = (await (await server.call('POST', '/api/flows', sampleFlow())).json()) as any
    await server.ctx.database.client.execute({
      sql: `UPDATE flows SET document = json_set(document, '$.nodes[0].labell', 'old') WHERE id = ?`,
      args: [created.flow.id],
    })
    const read = await server.call('GET', `/api/flows/${created.flow.id}`)
    expect(read.status).toBe(200)
    const body = (await read.json()) as any
    expect(body.flow.nodes[0].labell).toBe('old')
    expect(body.problems).toEqual([
      {
        code: 'DOCUMENT_INVALID',
        field: 'nodes.0.labell',
        message: 'nodes.0.labell: unknown field; did you mean `label`?',
      },
    ])
    const run = await server.call('POST', `/api/flows/${created.flow.id}/runs`, {})
    expect(run.status).toBe(400)
  })

  it('stored before ids were checked, with a node id like "fetch rds", saves back unchanged', async () => {
    const created = (await (await server.call('POST', '/api/flows', sampleFlow())).json()) as any
    await server.ctx.database.client.execute({
      sql: `UPDATE flows SET document = json_set(document, '$.nodes[3].id', 'fetch rds', '$.description', 'a\r\nb') WHERE id = ?`,
      args: [created.flow.id],
    })
    const got = await server.call('GET', `/api/flows/${created.flow.id}`)
    const body = (await got.json()) as any
    const saved = await server.call('PUT', `/api/flows/${created.flow.id}`, body.flow, {
      'if-match': got.headers.get('etag')!,
    })
    expect(saved.status).toBe(200)
    expect(((await saved.json()) as any).flow.nodes[3].id).toBe('fetch rds')
  })

  it('stored with a node id ids may no longer have, still loads and reports it', async () => {
    const created = (await (await server.call('POST', '/api/flows', sampleFlow())).json()) as any
    await server.ctx.database.client.execute({
      sql: `UPDATE flows SET document = json_set(document, '$.nodes[3].id', 'my/control') WHERE id = ?`,
      args: [created.flow.id],
    })
    const body = (await (await server.call('GET', `/api/flows/${created.flow.id}`)).json()) as any
    expect(body.flow.nodes[3].id).toBe('my/control')
    expect(body.problems).toContainEqual({
      code: 'DOCUMENT_INVALID',
      field: 'nodes.3.id',
      message: `nodes.3.id: an id is ${ELEMENT_ID_RULE}`,
    })
  })
})
