import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sampleFlow, startTestServer, type TestServer } from '../support/server.ts'

let server: TestServer
beforeEach(async () => {
  server = await startTestServer()
})
afterEach(async () => {
  await server.close()
})

async function create(body: unknown = sampleFlow()) {
  const response = await server.call('POST', '/api/flows', body)
  expect(response.status).toBe(201)
  return (await response.json()) as any
}

/** A flow with a node of a type nobody provides, left unconnected: two problems, still storable. */
const draftWithUnknownType = () =>
  sampleFlow({
    nodes: [
      { id: 'trigger', type: 'trigger', typeVersion: 1 },
      { id: 'mystery', type: 'no-such-type', typeVersion: 1 },
    ],
    edges: [],
  })

describe('flows CRUD', () => {
  it('creates a flow with defaults filled in, then reads it back with its version as ETag', async () => {
    const created = await create()
    expect(created.version).toBe(1)
    expect(created.problems).toEqual([])
    expect(created.flow.schemaVersion).toBe(1)
    expect(created.flow.nodes[0].position).toEqual({ x: 0, y: 0 })
    const response = await server.call('GET', `/api/flows/${created.flow.id}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('etag')).toBe('"1"')
    const read = (await response.json()) as any
    expect(read.flow).toEqual(created.flow)
  })

  it('keeps a client-chosen id and refuses a second flow with it (409)', async () => {
    await create(sampleFlow({ id: 'rds-public' }))
    const again = await server.call('POST', '/api/flows', sampleFlow({ id: 'rds-public' }))
    expect(again.status).toBe(409)
    expect(((await again.json()) as any).error.code).toBe('FLOW_EXISTS')
  })

  it('refuses an id that is unsafe in a URL, naming the field', async () => {
    const response = await server.call('POST', '/api/flows', sampleFlow({ id: 'a/b' }))
    expect(response.status).toBe(400)
    expect(((await response.json()) as any).error.message).toMatch(/^id:/)
  })

  it('validates a document without saving it: its problems, or a 400 naming the field', async () => {
    const draft = draftWithUnknownType()
    const checked = await server.call('POST', '/api/flows/validate', draft)
    expect(checked.status).toBe(200)
    const body = (await checked.json()) as any
    expect(body.problems.map((p: any) => p.code).sort()).toEqual(['NODE_TYPE_UNKNOWN', 'NODE_UNREACHABLE'])
    expect(body.problems.find((p: any) => p.code === 'NODE_TYPE_UNKNOWN').nodeId).toBe('mystery')
    const clean = await server.call('POST', '/api/flows/validate', sampleFlow())
    expect(((await clean.json()) as any).problems).toEqual([])
    // Nothing was stored.
    const list = (await (await server.call('GET', '/api/flows')).json()) as any
    expect(list.items).toEqual([])
    const malformed = await server.call('POST', '/api/flows/validate', { ...sampleFlow(), nodes: 'x' })
    expect(malformed.status).toBe(400)
    expect(((await malformed.json()) as any).error.message).toMatch(/^nodes/)
  })

  it('saves a draft with semantic problems and returns them, but refuses it deployed', async () => {
    const draft = draftWithUnknownType()
    const saved = await create(draft)
    expect(saved.problems.map((p: any) => p.code).sort()).toEqual(['NODE_TYPE_UNKNOWN', 'NODE_UNREACHABLE'])
    const deployed = await server.call('POST', '/api/flows', { ...draft, deployed: true })
    expect(deployed.status).toBe(400)
    const body = (await deployed.json()) as any
    expect(body.error.code).toBe('FLOW_INVALID')
    expect(body.error.details.problems.length).toBe(2)
  })

  it('refuses a document of the wrong shape with 400 naming the field', async () => {
    const response = await server.call('POST', '/api/flows', {
      name: 'x',
      nodes: [{ id: 'a', type: 'trigger', typeVersion: 'one' }],
    })
    expect(response.status).toBe(400)
    const body = (await response.json()) as any
    expect(body.error.code).toBe('VALIDATION_FAILED')
    expect(body.error.message).toMatch(/^nodes\.0\.typeVersion:/)
    expect(body.error.details.issues[0].field).toBe('nodes.0.typeVersion')
  })

  it('lists with name search, category filter and paging, newest change first', async () => {
    await create(sampleFlow({ id: 'a', name: 'Public RDS', categories: ['rds'] }))
    await create(sampleFlow({ id: 'b', name: 'Open security groups', categories: ['ec2'] }))
    await create(sampleFlow({ id: 'c', name: 'RDS encryption 100%', categories: ['rds', 'encryption'] }))
    const all = (await (await server.call('GET', '/api/flows')).json()) as any
    expect(all.total).toBe(3)
    expect(all.items[0]).not.toHaveProperty('document')
    const search = (await (await server.call('GET', '/api/flows?q=rds')).json()) as any
    expect(search.items.map((f: any) => f.id).sort()).toEqual(['a', 'c'])
    const percent = (await (await server.call('GET', '/api/flows?q=100%25')).json()) as any
    expect(percent.items.map((f: any) => f.id)).toEqual(['c'])
    const category = (await (await server.call('GET', '/api/flows?category=ec2')).json()) as any
    expect(category.items.map((f: any) => f.id)).toEqual(['b'])
    const page = (await (await server.call('GET', '/api/flows?limit=2&offset=2')).json()) as any
    expect(page).toMatchObject({ total: 3, limit: 2, offset: 2 })
    expect(page.items).toHaveLength(1)
    const bad = await server.call('GET', '/api/flows?limit=0')
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as any).error.message).toMatch(/^limit:/)
  })

  it('404s unknown flows on every flow route', async () => {
    for (const [method, path] of [
      ['GET', '/api/flows/nope'],
      ['DELETE', '/api/flows/nope'],
      ['GET', '/api/flows/nope/versions'],
      ['GET', '/api/flows/nope/export'],
      ['POST', '/api/flows/nope/deploy'],
      ['POST', '/api/flows/nope/undeploy'],
      ['GET', '/api/flows/nope/runs'],
      ['POST', '/api/flows/nope/runs'],
    ] as const) {
      const response = await server.call(method, path)
      expect(response.status, `${method} ${path}`).toBe(404)
      expect(((await response.json()) as any).error.code).toBe('FLOW_NOT_FOUND')
    }
    const put = await server.call('PUT', '/api/flows/nope', sampleFlow(), { 'if-match': '1' })
    expect(put.status).toBe(404)
  })

  it('deletes a flow with its versions and runs', async () => {
    const created = await create()
    const run = (await (await server.call('POST', `/api/flows/${created.flow.id}/runs`, {})).json()) as any
    await server.waitForRun(run.id)
    expect((await server.call('DELETE', `/api/flows/${created.flow.id}`)).status).toBe(204)
    expect((await server.call('GET', `/api/flows/${created.flow.id}`)).status).toBe(404)
    expect((await server.call('GET', `/api/runs/${run.id}`)).status).toBe(404)
  })
})

describe('versions and If-Match', () => {
  it('a delete conditional on a version that was saved over removes nothing, runs and versions included', async () => {
    const created = await create()
    const id = created.flow.id
    const run = (await (await server.call('POST', `/api/flows/${id}/runs`, {})).json()) as any
    await server.waitForRun(run.id)
    const saved = await server.call(
      'PUT',
      `/api/flows/${id}`,
      { ...created.flow, name: 'saved' },
      { 'if-match': '"1"' }
    )
    expect(saved.status).toBe(200)
    // As if the save landed between the route's version check and the delete itself.
    expect(await server.ctx.flows.delete(id, 1)).toBe(false)
    expect((await server.ctx.flows.get(id))?.version).toBe(2)
    expect((await server.ctx.flows.versions(id, { limit: 10, offset: 0 })).total).toBe(2)
    expect((await server.call('GET', `/api/runs/${run.id}`)).status).toBe(200)
    const stale = await server.call('DELETE', `/api/flows/${id}`, undefined, { 'if-match': '"1"' })
    expect(stale.status).toBe(409)
    expect(((await stale.json()) as any).error.details).toEqual({ currentVersion: 2 })
    expect((await server.call('DELETE', `/api/flows/${id}`, undefined, { 'if-match': '"2"' })).status).toBe(
      204
    )
    expect((await server.call('GET', `/api/runs/${run.id}`)).status).toBe(404)
  })

  it('bumps the version on each save and keeps every previous version', async () => {
    const created = await create()
    const id = created.flow.id
    const renamed = await server.call(
      'PUT',
      `/api/flows/${id}`,
      { ...created.flow, name: 'Renamed' },
      { 'if-match': '"1"' }
    )
    expect(renamed.status).toBe(200)
    expect(renamed.headers.get('etag')).toBe('"2"')
    const versions = (await (await server.call('GET', `/api/flows/${id}/versions`)).json()) as any
    expect(versions.items.map((v: any) => [v.version, v.name])).toEqual([
      [2, 'Renamed'],
      [1, 'Sample flow'],
    ])
    const first = (await (await server.call('GET', `/api/flows/${id}/versions/1`)).json()) as any
    expect(first.flow.name).toBe('Sample flow')
    expect((await server.call('GET', `/api/flows/${id}/versions/9`)).status).toBe(404)
  })

  it('answers a stale If-Match with 409 and the current version, changing nothing', async () => {
    const created = await create()
    const id = created.flow.id
    await server.call('PUT', `/api/flows/${id}`, { ...created.flow, name: 'Second' }, { 'if-match': '1' })
    const stale = await server.call(
      'PUT',
      `/api/flows/${id}`,
      { ...created.flow, name: 'Lost' },
      { 'if-match': '1' }
    )
    expect(stale.status).toBe(409)
    const body = (await stale.json()) as any
    expect(body.error).toMatchObject({ code: 'VERSION_CONFLICT', details: { currentVersion: 2 } })
    const current = (await (await server.call('GET', `/api/flows/${id}`)).json()) as any
    expect(current.flow.name).toBe('Second')
  })

  it('requires If-Match on PUT (428) and refuses a malformed one (400)', async () => {
    const created = await create()
    const id = created.flow.id
    const missing = await server.call('PUT', `/api/flows/${id}`, created.flow)
    expect(missing.status).toBe(428)
    for (const header of ['abc', '"-1"', '0', '1.5', '99999999999999999999']) {
      const bad = await server.call('PUT', `/api/flows/${id}`, created.flow, { 'if-match': header })
      expect(bad.status, header).toBe(400)
      expect(((await bad.json()) as any).error.code).toBe('IF_MATCH_INVALID')
    }
  })

  it('refuses a document whose id differs from the URL', async () => {
    const created = await create()
    const response = await server.call(
      'PUT',
      `/api/flows/${created.flow.id}`,
      { ...created.flow, id: 'other' },
      { 'if-match': '1' }
    )
    expect(response.status).toBe(400)
    expect(((await response.json()) as any).error.code).toBe('ID_MISMATCH')
  })
})

describe('deploy', () => {
  it('deploys a valid flow and undeploys it, each a new version', async () => {
    const created = await create()
    const id = created.flow.id
    const deployed = (await (await server.call('POST', `/api/flows/${id}/deploy`)).json()) as any
    expect(deployed).toMatchObject({ version: 2, flow: { deployed: true } })
    const again = (await (await server.call('POST', `/api/flows/${id}/deploy`)).json()) as any
    expect(again.version).toBe(2)
    const listed = (await (await server.call('GET', '/api/flows')).json()) as any
    expect(listed.items[0].deployed).toBe(true)
    const undeployed = (await (await server.call('POST', `/api/flows/${id}/undeploy`)).json()) as any
    expect(undeployed).toMatchObject({ version: 3, flow: { deployed: false } })
  })

  it('refuses to deploy a flow with problems, listing them', async () => {
    const created = await create(
      sampleFlow({ nodes: [{ id: 'x', type: 'test-emit', typeVersion: 1 }], edges: [] })
    )
    const response = await server.call('POST', `/api/flows/${created.flow.id}/deploy`)
    expect(response.status).toBe(400)
    const body = (await response.json()) as any
    expect(body.error.code).toBe('FLOW_INVALID')
    expect(body.error.details.problems[0].code).toBe('TRIGGER_MISSING')
  })

  it('honours If-Match on deploy', async () => {
    const created = await create()
    const response = await server.call('POST', `/api/flows/${created.flow.id}/deploy`, undefined, {
      'if-match': '7',
    })
    expect(response.status).toBe(409)
  })
})

describe('export and import', () => {
  it('round-trips: export then import into a fresh database gives the same flow', async () => {
    const created = await create(sampleFlow({ id: 'round-trip' }))
    const exported = await server.call('GET', '/api/flows/round-trip/export')
    expect(exported.headers.get('content-disposition')).toBe('attachment; filename="round-trip.qflow.json"')
    const document = await exported.json()
    expect(document).toEqual(created.flow)

    const other = await startTestServer()
    try {
      const imported = await other.call('POST', '/api/flows/import', document)
      expect(imported.status).toBe(201)
      const again = await (await other.call('GET', '/api/flows/round-trip/export')).json()
      expect(again).toEqual(document)
    } finally {
      await other.close()
    }
  })

  it('refuses to import over an existing id, or imports a copy with ?newId=true', async () => {
    await create(sampleFlow({ id: 'dup' }))
    const document = await (await server.call('GET', '/api/flows/dup/export')).json()
    expect((await server.call('POST', '/api/flows/import', document)).status).toBe(409)
    const copy = (await (await server.call('POST', '/api/flows/import?newId=true', document)).json()) as any
    expect(copy.flow.id).not.toBe('dup')
    expect({ ...copy.flow, id: 'dup' }).toEqual(document)
  })
})
