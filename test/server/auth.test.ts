import { afterEach, describe, expect, it } from 'vitest'
import { checkBindingIsSafe } from '../../server/auth/access-mode.ts'
import { permissionFor } from '../../server/auth/route-permissions.ts'
import { signBody } from '../../server/auth/signature.ts'
import { chainFlow, startTestServer, type TestServer } from '../support/runtime-server.ts'

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

const ADMIN = 'test-admin-token-0123456789'
const SECRET = 'totalcloud-shared-secret-42'

async function withAdmin() {
  server = await startTestServer({
    runtime: { auth: { mode: 'auto', adminToken: ADMIN, signingSecrets: [SECRET] } },
  })
  return server
}

describe('API keys and roles', () => {
  it('needs a token on every API route except /healthz; a missing or unknown one is 401', async () => {
    const s = await withAdmin()
    expect((await s.call('GET', '/healthz')).status).toBe(200)
    const missing = await s.call('GET', '/api/flows')
    expect(missing.status).toBe(401)
    expect(missing.body.error.code).toBe('AUTH_REQUIRED')
    expect(missing.headers.get('www-authenticate')).toBe('Bearer')
    expect((await s.call('GET', '/qflowapi/v1/workflows')).status).toBe(401)
    expect((await s.call('GET', '/api/flows', { token: 'qf_nope' })).body.error.code).toBe('AUTH_INVALID')
    expect((await s.call('GET', '/api/flows', { headers: { authorization: 'Basic abc' } })).status).toBe(401)
    expect((await s.call('GET', '/api/flows', { token: ADMIN })).status).toBe(200)
  })

  it('creates a key shown once, lists it without secret, and a revoked key is 401 at once', async () => {
    const s = await withAdmin()
    const created = await s.call('POST', '/api/keys', {
      token: ADMIN,
      body: { name: 'connector', role: 'runner' },
    })
    expect(created.status).toBe(201)
    expect(created.body.key).toMatch(/^qf_[A-Za-z0-9_-]{43}$/)
    expect(created.body.prefix).toBe(created.body.key.slice(0, 9))
    const listed = await s.call('GET', '/api/keys', { token: ADMIN })
    expect(listed.body.items).toHaveLength(1)
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key)
    expect(listed.body.items[0]).not.toHaveProperty('hash')

    const key = created.body.key as string
    expect((await s.call('GET', '/api/flows', { token: key })).status).toBe(200)
    expect(
      (await s.call('DELETE', `/api/keys/${created.body.id}`, { token: ADMIN })).body.revokedAt
    ).toBeTruthy()
    const revoked = await s.call('GET', '/api/flows', { token: key })
    expect(revoked.status).toBe(401)
    expect(revoked.body.error.code).toBe('AUTH_INVALID')
    expect((await s.call('GET', '/api/keys', { token: ADMIN })).body.items).toHaveLength(0)
    expect((await s.call('DELETE', '/api/keys/nope', { token: ADMIN })).status).toBe(404)
  })

  it('each role gets what the table gives it and 403 beyond', async () => {
    const s = await withAdmin()
    const keyFor = async (role: string) =>
      (await s.call('POST', '/api/keys', { token: ADMIN, body: { name: role, role } })).body.key as string
    const viewer = await keyFor('viewer')
    const runner = await keyFor('runner')
    const editor = await keyFor('editor')
    expect((await s.call('POST', '/api/flows', { token: editor, body: chainFlow('f1') })).status).toBe(201)

    const denied = await s.call('POST', '/api/flows/f1/runs', { token: viewer })
    expect(denied.status).toBe(403)
    expect(denied.body.error).toMatchObject({ code: 'FORBIDDEN', details: { role: 'viewer', needs: 'run' } })
    expect((await s.call('GET', '/api/flows/f1', { token: viewer })).status).toBe(200)
    expect((await s.call('POST', '/api/flows/f1/runs', { token: runner })).status).toBe(202)
    expect((await s.call('POST', '/api/flows', { token: runner, body: chainFlow('f2') })).status).toBe(403)
    expect((await s.call('POST', '/api/flows/f1/deploy', { token: runner })).status).toBe(403)
    expect((await s.call('POST', '/api/flows/f1/deploy', { token: editor })).status).toBe(200)
    expect((await s.call('GET', '/api/keys', { token: editor })).status).toBe(403)
    expect(
      (await s.call('POST', '/api/keys', { token: editor, body: { name: 'x', role: 'admin' } })).status
    ).toBe(403)
  })

  it('a key limited to some flows sees and runs only those', async () => {
    const s = await withAdmin()
    await s.call('POST', '/api/flows', { token: ADMIN, body: chainFlow('mine') })
    await s.call('POST', '/api/flows', { token: ADMIN, body: chainFlow('theirs') })
    const other = await s.call('POST', '/api/flows/theirs/runs?wait=5', { token: ADMIN })
    const key = (
      await s.call('POST', '/api/keys', {
        token: ADMIN,
        body: { name: 'scoped', role: 'runner', flowIds: ['mine'] },
      })
    ).body.key
    const list = await s.call('GET', '/api/flows', { token: key })
    expect(list.body.items.map((f: { id: string }) => f.id)).toEqual(['mine'])
    expect((await s.call('POST', '/api/flows/mine/runs', { token: key })).status).toBe(202)
    const denied = await s.call('POST', '/api/flows/theirs/runs', { token: key })
    expect(denied.status).toBe(403)
    expect(denied.body.error.code).toBe('FLOW_FORBIDDEN')
    expect((await s.call('GET', `/api/runs/${other.body.id}`, { token: key })).status).toBe(403)
    expect((await s.call('GET', `/qflowapi/v1/executions/${other.body.id}`, { token: key })).status).toBe(403)
    expect((await s.call('GET', '/api/flows/%E0%A4%A', { token: key })).status).toBe(403)
    const compat = await s.call('GET', '/qflowapi/v1/workflows', { token: key })
    expect(compat.body.items.map((f: { id: string }) => f.id)).toEqual(['mine'])
  })

  it('validates key requests, naming the field', async () => {
    const s = await withAdmin()
    const bad = await s.call('POST', '/api/keys', { token: ADMIN, body: { name: 'x', role: 'owner' } })
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toMatch(/^role:/)
  })
})

describe('loopback single-user mode', () => {
  it('lets in-process and loopback requests in while no key exists, and closes with the first key', async () => {
    server = await startTestServer()
    expect((await server.call('GET', '/api/flows')).status).toBe(200)
    // DNS rebinding and cross-site requests are not "this machine" even in local mode.
    expect((await server.call('GET', '/api/flows', { headers: { host: 'evil.example' } })).status).toBe(401)
    const crossSite = await server.call('POST', '/api/flows', {
      body: chainFlow('x'),
      headers: { origin: 'https://evil.example' },
    })
    expect(crossSite.status).toBe(401)
    const created = await server.call('POST', '/api/keys', { body: { name: 'first', role: 'admin' } })
    expect(created.status).toBe(201)
    await new Promise((resolve) => setTimeout(resolve, 10))
    const closed = await server.call('GET', '/api/flows')
    expect(closed.status).toBe(401)
    expect((await server.call('GET', '/api/flows', { token: created.body.key })).status).toBe(200)
  })

  it('refuses to bind a non-loopback address without keys, with a message that says what to do', () => {
    const settings = { mode: 'auto' as const, signingSecrets: [] }
    expect(() => checkBindingIsSafe({ host: '0.0.0.0', settings, activeKeys: 0 })).toThrow(
      /refusing to listen on 0\.0\.0\.0 without API keys.*QFLOW_ADMIN_TOKEN/
    )
    expect(() => checkBindingIsSafe({ host: '127.0.0.1', settings, activeKeys: 0 })).not.toThrow()
    expect(() => checkBindingIsSafe({ host: '::1', settings, activeKeys: 0 })).not.toThrow()
    expect(() => checkBindingIsSafe({ host: '0.0.0.0', settings, activeKeys: 1 })).not.toThrow()
    expect(() =>
      checkBindingIsSafe({ host: '0.0.0.0', settings: { ...settings, adminToken: ADMIN }, activeKeys: 0 })
    ).not.toThrow()
    expect(() =>
      checkBindingIsSafe({ host: '10.0.0.5', settings: { ...settings, mode: 'local' }, activeKeys: 3 })
    ).toThrow(/QFLOW_AUTH=local/)
  })

  it('QFLOW_AUTH=keys needs a key even on loopback', async () => {
    server = await startTestServer({ runtime: { auth: { mode: 'keys', adminToken: ADMIN } } })
    expect((await server.call('GET', '/api/flows')).status).toBe(401)
  })
})

describe('signed TotalCloud requests', () => {
  async function deployed(s: TestServer) {
    await s.call('POST', '/api/flows', {
      token: ADMIN,
      body: { ...chainFlow('tc', { kind: 'totalcloud' }), deployed: true },
    })
  }
  const signed = (body: string, timestamp = Math.floor(Date.now() / 1000), secret = SECRET) => ({
    'content-type': 'application/json',
    'x-qflow-timestamp': String(timestamp),
    'x-qflow-signature': signBody(secret, timestamp, body),
  })

  it('accepts a good signature once; a replay, a bad or a stale signature is 401', async () => {
    const s = await withAdmin()
    await deployed(s)
    const body = JSON.stringify({ input: { connector: 'aws-1' } })
    const headers = signed(body)
    const ok = await s.call('POST', '/api/flows/tc/trigger/totalcloud', { body, headers })
    expect(ok.status).toBe(202)
    expect((await s.ctx.runs.get(ok.body.id))?.triggeredBy).toBe('totalcloud')

    const replay = await s.call('POST', '/api/flows/tc/trigger/totalcloud', { body, headers })
    expect(replay.status).toBe(401)
    expect(replay.body.error.code).toBe('SIGNATURE_REPLAYED')

    const tampered = await s.call('POST', '/api/flows/tc/trigger/totalcloud', {
      body: body.replace('aws-1', 'aws-2'),
      headers: signed(body),
    })
    expect(tampered.status).toBe(401)
    expect(tampered.body.error.code).toBe('SIGNATURE_INVALID')

    const wrongSecret = await s.call('POST', '/api/flows/tc/trigger/totalcloud', {
      body,
      headers: signed(body, undefined, 'some-other-secret-value'),
    })
    expect(wrongSecret.status).toBe(401)

    const stale = await s.call('POST', '/api/flows/tc/trigger/totalcloud', {
      body,
      headers: signed(body, Math.floor(Date.now() / 1000) - 600),
    })
    expect(stale.status).toBe(401)
    expect(stale.body.error.message).toMatch(/stale/)
  })

  it('a replay is refused by another process sharing the database', async () => {
    const s = await withAdmin()
    await deployed(s)
    const body = JSON.stringify({})
    const headers = signed(body)
    expect((await s.call('POST', '/api/flows/tc/trigger/totalcloud', { body, headers })).status).toBe(202)
    const second = await startTestServer({
      dir: s.dir,
      runtime: { auth: { mode: 'auto', adminToken: ADMIN, signingSecrets: [SECRET] } },
    })
    try {
      const replay = await second.call('POST', '/api/flows/tc/trigger/totalcloud', { body, headers })
      expect(replay.status).toBe(401)
    } finally {
      await second.close()
    }
  })

  it('a signature is good only for the TotalCloud endpoint of a deployed TotalCloud flow', async () => {
    const s = await withAdmin()
    await s.call('POST', '/api/flows', { token: ADMIN, body: chainFlow('manual') })
    // Each request its own body: an identical signed request would be refused as a replay.
    const body = (n: number) => JSON.stringify({ input: { n } })
    const post = (path: string, text: string) => s.call('POST', path, { body: text, headers: signed(text) })
    expect((await post('/api/flows/manual/runs', body(1))).status).toBe(401)
    const mismatch = await post('/api/flows/manual/trigger/totalcloud', body(2))
    expect(mismatch.status).toBe(409)
    expect(mismatch.body.error.code).toBe('TRIGGER_MISMATCH')
    await s.call('POST', '/api/flows', { token: ADMIN, body: chainFlow('off', { kind: 'totalcloud' }) })
    const undeployed = await post('/api/flows/off/trigger/totalcloud', body(3))
    expect(undeployed.status).toBe(409)
    expect(undeployed.body.error.code).toBe('FLOW_NOT_DEPLOYED')
  })
})

describe('route permission table', () => {
  it('maps routes to permissions, unknown writes to admin', () => {
    expect(permissionFor('GET', '/api/flows')).toBe('read')
    expect(permissionFor('POST', '/api/flows/x/runs')).toBe('run')
    expect(permissionFor('POST', '/qflowapi/v1/workflows/x/run')).toBe('run')
    expect(permissionFor('PUT', '/api/flows/x')).toBe('edit')
    expect(permissionFor('GET', '/api/keys')).toBe('admin')
    expect(permissionFor('POST', '/api/something-new')).toBe('admin')
  })
})
