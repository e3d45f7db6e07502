import { afterEach, describe, expect, it } from 'vitest'
import { checkBindingIsSafe } from '../../server/auth/access-mode.ts'
import { permissionFor } from '../../server/auth/route-permissions.ts'
import { signRequest } from '../../server/auth/signature.ts'
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
    const health = await s.call('GET', '/healthz')
    expect(health.status).toBe(200)
    expect(health.body.keyRequired).toBe(true)
    const missing = await s.call('GET', '/api/flows')
    expect(missing.status).toBe(401)
    expect(missing.body.error.code).toBe('AUTH_REQUIRED')
    expect(missing.headers.get('www-authenticate')).toBe('Bearer')
    expect((await s.call('GET', '/qflowapi/v1/workflows')).status).toBe(401)
    expect((await s.call('GET', '/api/flows', { token: 'qf_nope' })).body.error.code).toBe('AUTH_INVALID')
    expect((await s.call('GET', '/api/flows', { headers: { authorization: 'Basic abc' } })).status).toBe(401)
    expect((await s.call('GET', '/api/flows', { token: ADMIN })).status).toBe(200)
    // The TotalCloud trigger endpoint also takes a signature, so its refusal says so.
    const unsigned = await s.call('POST', '/api/flows/tc/trigger/totalcloud', { body: {} })
    expect(unsigned.body.error.code).toBe('AUTH_REQUIRED')
    expect(unsigned.body.error.message).toContain('X-QFlow-Signature')
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
    // Stored hashed: the database holds a digest of the key, never the key or its secret part.
    const stored = await s.ctx.database.client.execute('SELECT * FROM api_keys')
    expect(stored.rows).toHaveLength(1)
    const row = JSON.stringify(stored.rows[0])
    expect(row).not.toContain(created.body.key)
    expect(row).not.toContain((created.body.key as string).slice(9))
    expect(String(stored.rows[0]!.hash)).toMatch(/^[0-9a-f]{64}$|^[A-Za-z0-9_-]{43}$/)

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
    const keysAsEditor = await s.call('GET', '/api/keys', { token: editor })
    expect(keysAsEditor.status).toBe(403)
    expect(keysAsEditor.body.error.message).toBe('an editor key may not do this (it needs admin)')
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
    // Another flow looks like no flow at all: the key learns no ids, not even that one exists.
    const denied = await s.call('POST', '/api/flows/theirs/runs', { token: key })
    expect(denied.status).toBe(404)
    expect(denied.body.error.code).toBe('FLOW_NOT_FOUND')
    const missing = await s.call('GET', '/api/flows/nowhere', { token: key })
    expect({ ...denied.body.error, message: '', details: {} }).toEqual({
      ...missing.body.error,
      message: '',
      details: {},
    })
    const run = await s.call('GET', `/api/runs/${other.body.id}`, { token: key })
    expect(run.status).toBe(404)
    expect(run.body.error.code).toBe('RUN_NOT_FOUND')
    expect(JSON.stringify(run.body)).not.toContain('theirs')
    const execution = await s.call('GET', `/qflowapi/v1/executions/${other.body.id}`, { token: key })
    expect(execution.status).toBe(404)
    expect(execution.body.error.code).toBe('EXECUTION_NOT_FOUND')
    expect((await s.call('GET', '/qflowapi/v1/workflows/theirs', { token: key })).status).toBe(404)
    expect((await s.call('GET', '/api/flows/%E0%A4%A', { token: key })).status).toBe(404)
    const compat = await s.call('GET', '/qflowapi/v1/workflows', { token: key })
    expect(compat.body.items.map((f: { id: string }) => f.id)).toEqual(['mine'])
  })

  it('a flow-limited key creates and imports flows only under its own ids', async () => {
    const s = await withAdmin()
    const key = (
      await s.call('POST', '/api/keys', {
        token: ADMIN,
        body: { name: 'scoped editor', role: 'editor', flowIds: ['mine', 'mine-2'] },
      })
    ).body.key
    const other = await s.call('POST', '/api/flows', { token: key, body: chainFlow('elsewhere') })
    expect(other.status).toBe(403)
    expect(other.body.error).toMatchObject({ code: 'FLOW_FORBIDDEN', details: { field: 'id' } })
    expect(other.body.error.message).toContain('"elsewhere"')
    const { id: _id, ...noId } = chainFlow('x')
    const anonymous = await s.call('POST', '/api/flows', { token: key, body: noId })
    expect(anonymous.status).toBe(403)
    expect(anonymous.body.error.message).toMatch(/^id: .*none/)
    const imported = await s.call('POST', '/api/flows/import', { token: key, body: chainFlow('intruder') })
    expect(imported.status).toBe(403)
    expect(imported.body.error.message).toContain('"intruder"')
    const fresh = await s.call('POST', '/api/flows/import?newId=true', {
      token: key,
      body: chainFlow('mine'),
    })
    expect(fresh.status).toBe(403)
    expect(fresh.body.error.message).toMatch(/^newId:/)
    // Nothing refused was stored.
    const all = await s.call('GET', '/api/flows', { token: ADMIN })
    expect(all.body.items).toEqual([])

    expect((await s.call('POST', '/api/flows', { token: key, body: chainFlow('mine') })).status).toBe(201)
    expect(
      (await s.call('POST', '/api/flows/import', { token: key, body: chainFlow('mine-2') })).status
    ).toBe(201)
    expect((await s.call('POST', '/api/flows/mine/deploy', { token: key })).status).toBe(200)
    // An unlimited editor imports under a new id as before.
    const editor = (await s.call('POST', '/api/keys', { token: ADMIN, body: { name: 'e', role: 'editor' } }))
      .body.key
    expect(
      (await s.call('POST', '/api/flows/import?newId=true', { token: editor, body: chainFlow('mine') }))
        .status
    ).toBe(201)
  })

  it("below editor, or limited to flows, a run only narrows the flow's own accounts and regions", async () => {
    const s = await withAdmin()
    const bound = { accounts: ['111111111111', '222222222222'], regions: ['us-east-1', 'eu-west-1'] }
    // Runs may only name accounts that exist; the third one is outside the flow's binding.
    for (const id of [...bound.accounts, '333333333333']) {
      const account = await s.call('POST', '/api/accounts', {
        token: ADMIN,
        body: {
          id,
          name: id,
          kind: 'snapshot',
          files: { 'rds.DescribeDBInstances.json': { DBInstances: [] } },
        },
      })
      expect(account.status).toBe(201)
    }
    await s.call('POST', '/api/flows', { token: ADMIN, body: { ...chainFlow('bound'), ...bound } })
    await s.call('POST', '/api/flows', {
      token: ADMIN,
      body: { ...chainFlow('tc', { kind: 'totalcloud' }), ...bound, deployed: true },
    })
    const keyFor = async (role: string, flowIds?: string[]) =>
      (await s.call('POST', '/api/keys', { token: ADMIN, body: { name: role, role, flowIds } })).body
        .key as string
    const runner = await keyFor('runner', ['bound', 'tc'])
    const unlimitedRunner = await keyFor('runner')
    const limitedEditor = await keyFor('editor', ['bound'])
    const editor = await keyFor('editor')

    for (const key of [runner, unlimitedRunner, limitedEditor]) {
      const elsewhere = await s.call('POST', '/api/flows/bound/runs', {
        token: key,
        body: { accounts: ['333333333333'] },
      })
      expect(elsewhere.status).toBe(403)
      expect(elsewhere.body.error).toMatchObject({ code: 'TARGET_FORBIDDEN', details: { field: 'accounts' } })
      expect(elsewhere.body.error.message).toMatch(/^accounts: .*333333333333/)
      const region = await s.call('POST', '/api/flows/bound/runs', {
        token: key,
        body: { accounts: ['111111111111'], regions: ['ap-south-1'] },
      })
      expect(region.status).toBe(403)
      expect(region.body.error.message).toMatch(/^regions: .*ap-south-1/)
      const narrowed = await s.call('POST', '/api/flows/bound/runs', {
        token: key,
        body: { accounts: ['222222222222'], regions: ['eu-west-1'] },
      })
      expect(narrowed.status).toBe(202)
      expect((await s.ctx.runs.get(narrowed.body.id))?.accounts).toEqual(['222222222222'])
    }
    const compat = await s.call('POST', '/qflowapi/v1/workflows/bound/run', {
      token: runner,
      body: { variables: { connectorId: '333333333333' } },
    })
    expect(compat.status).toBe(403)
    expect(compat.body.error.details.field).toBe('accounts')
    const compatRegion = await s.call('POST', '/qflowapi/v1/workflows/bound/run', {
      token: runner,
      body: { variables: { region: 'ap-south-1' } },
    })
    expect(compatRegion.status).toBe(403)
    expect(
      (
        await s.call('POST', '/qflowapi/v1/workflows/bound/run', {
          token: runner,
          body: { variables: { connectorId: '111111111111' } },
        })
      ).status
    ).toBe(202)
    const trigger = await s.call('POST', '/api/flows/tc/trigger/totalcloud', {
      token: runner,
      body: { accounts: ['333333333333'] },
    })
    expect(trigger.status).toBe(403)
    expect(trigger.body.error.details.field).toBe('accounts')

    // Unlimited editors and admins may point a run anywhere.
    for (const key of [editor, ADMIN]) {
      const anywhere = await s.call('POST', '/api/flows/bound/runs', {
        token: key,
        body: { accounts: ['333333333333'], regions: ['ap-south-1'] },
      })
      expect(anywhere.status).toBe(202)
    }
  })

  it('a key that may not retarget runs may not rebind the flow by saving it either', async () => {
    const s = await withAdmin()
    const bound = { accounts: ['acct-a', 'acct-b'], regions: ['us-east-1', 'eu-west-1'] }
    const nodeBound = { service: 'rds', method: 'DBInstances', accounts: ['acct-n'] }
    const flow = { ...chainFlow('uni2', {}, [['aws-resource', nodeBound]]), ...bound }
    expect((await s.call('POST', '/api/flows', { token: ADMIN, body: flow })).status).toBe(201)
    const limited = (
      await s.call('POST', '/api/keys', {
        token: ADMIN,
        body: { name: 'scoped editor', role: 'editor', flowIds: ['uni2', 'uni3'] },
      })
    ).body.key
    const put = (version: number, body: unknown) =>
      s.call('PUT', '/api/flows/uni2', { token: limited, body, headers: { 'if-match': `"${version}"` } })

    const refusals: [unknown, string, string][] = [
      [{ ...flow, accounts: ['acct-a', 'moto'] }, 'accounts', 'moto'],
      [{ ...flow, regions: ['ap-south-1'] }, 'regions', 'ap-south-1'],
      [
        { ...chainFlow('uni2', {}, [['aws-resource', { ...nodeBound, accounts: ['moto'] }]]), ...bound },
        'nodes.1.config.accounts',
        'moto',
      ],
    ]
    for (const [body, field, value] of refusals) {
      const refused = await put(1, body)
      expect(refused.status).toBe(403)
      expect(refused.body.error).toMatchObject({ code: 'TARGET_FORBIDDEN', details: { field } })
      expect(refused.body.error.message).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}: .*${value}`))
    }
    // Keeping or narrowing what the flow targets is fine, node accounts moving up to the flow too.
    const narrowed = await put(1, { ...flow, accounts: ['acct-b', 'acct-n'], regions: ['eu-west-1'] })
    expect(narrowed.status).toBe(200)
    // A new flow under its own id starts with nothing to keep; import is checked the same way.
    const created = await s.call('POST', '/api/flows/import', {
      token: limited,
      body: { ...chainFlow('uni3'), accounts: ['moto'] },
    })
    expect(created.status).toBe(403)
    expect(created.body.error.details.field).toBe('accounts')
    expect((await s.call('GET', '/api/flows/uni3', { token: ADMIN })).status).toBe(404)
    // An unlimited editor binds the flow anywhere, as it may point its runs anywhere.
    const editor = (await s.call('POST', '/api/keys', { token: ADMIN, body: { name: 'e', role: 'editor' } }))
      .body.key
    const rebound = await s.call('PUT', '/api/flows/uni2', {
      token: editor,
      body: { ...flow, accounts: ['moto'] },
      headers: { 'if-match': '"2"' },
    })
    expect(rebound.status).toBe(200)
  })

  it('refuses an admin key limited to flows, naming flowIds', async () => {
    const s = await withAdmin()
    const bad = await s.call('POST', '/api/keys', {
      token: ADMIN,
      body: { name: 'x', role: 'admin', flowIds: ['f1'] },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toMatch(/^flowIds: admin keys are unlimited/)
    expect((await s.call('GET', '/api/keys', { token: ADMIN })).body.items).toEqual([])
  })

  it('refuses an empty flowIds list rather than reading it as every flow', async () => {
    const s = await withAdmin()
    for (const role of ['runner', 'admin']) {
      const empty = await s.call('POST', '/api/keys', {
        token: ADMIN,
        body: { name: 'e', role, flowIds: [] },
      })
      expect(empty.status).toBe(400)
      expect(empty.body.error.message).toBe('flowIds: omit it for all flows, or name at least one flow')
    }
    expect((await s.call('GET', '/api/keys', { token: ADMIN })).body.items).toEqual([])
  })

  it('validates key requests, naming the field', async () => {
    const s = await withAdmin()
    const bad = await s.call('POST', '/api/keys', { token: ADMIN, body: { name: 'x', role: 'owner' } })
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toMatch(/^role:/)
  })

  it('refuses a flowIds entry that cannot be a flow id and a name with control characters', async () => {
    const s = await withAdmin()
    const cases: [Record<string, unknown>, string][] = [
      [
        { name: 'x', role: 'runner', flowIds: ['ok', '../x'] },
        'flowIds.1: a flow id is letters, digits, ".", "_" and "-", starting with a letter or digit, at most 128',
      ],
      [{ name: 'ci\u0000admin', role: 'runner' }, 'name: a key name cannot contain control characters'],
      [{ name: 'ci\u001b[2J', role: 'runner' }, 'name: a key name cannot contain control characters'],
    ]
    for (const [body, message] of cases) {
      const bad = await s.call('POST', '/api/keys', { token: ADMIN, body })
      expect(bad.status).toBe(400)
      expect(bad.body.error.message).toBe(message)
    }
    expect((await s.call('GET', '/api/keys', { token: ADMIN })).body.items).toEqual([])
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

  it('will not revoke the last admin key, which would reopen it, unless an admin token is set', async () => {
    server = await startTestServer()
    const s = server
    const first = (await s.call('POST', '/api/keys', { body: { name: 'first', role: 'admin' } })).body
    const runner = (
      await s.call('POST', '/api/keys', { token: first.key, body: { name: 'r', role: 'runner' } })
    ).body
    const refused = await s.call('DELETE', `/api/keys/${first.id}`, { token: first.key })
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('LAST_ADMIN_KEY')
    expect(refused.body.error.message).toMatch(/would leave no admin key.*QFLOW_ADMIN_TOKEN/)
    // Other keys go as before; with a second admin key, the first may go too.
    expect((await s.call('DELETE', `/api/keys/${runner.id}`, { token: first.key })).status).toBe(200)
    const second = (
      await s.call('POST', '/api/keys', { token: first.key, body: { name: 'second', role: 'admin' } })
    ).body
    expect((await s.call('DELETE', `/api/keys/${first.id}`, { token: second.key })).status).toBe(200)
    expect((await s.call('DELETE', `/api/keys/${second.id}`, { token: second.key })).status).toBe(409)
    // Still closed to keyless requests.
    expect((await s.call('GET', '/api/flows')).status).toBe(401)
  })

  it('with QFLOW_ADMIN_TOKEN the last admin key may be revoked', async () => {
    const s = await withAdmin()
    const only = (await s.call('POST', '/api/keys', { token: ADMIN, body: { name: 'a', role: 'admin' } }))
      .body
    expect((await s.call('DELETE', `/api/keys/${only.id}`, { token: ADMIN })).status).toBe(200)
  })

  it('answers malformed Origin and Host headers with 400 or 401, never 500, and stays closed to them', async () => {
    server = await startTestServer()
    const s = server
    const malformed: [string, string][] = [
      ['origin', '127.0.0.1:18789'],
      ['origin', 'localhost'],
      ['origin', 'http://'],
      ['origin', 'http://127.0.0.1/path'],
      ['origin', 'http://user@127.0.0.1'],
      ['origin', 'http://[::1'],
      ['origin', '%%%'],
      ['host', '127.0.0.1/evil'],
      ['host', '[::1'],
      ['host', 'a b'],
      ['host', 'localhost:99999999'],
    ]
    for (const [header, value] of malformed) {
      const answer = await s.call('POST', '/api/flows', {
        body: chainFlow('x'),
        headers: { [header]: value },
      })
      expect(answer.status, `${header}: ${value}`).toBe(400)
      expect(answer.body.error.code).toBe('HEADER_INVALID')
      expect(answer.body.error.details.field).toBe(header === 'origin' ? 'Origin' : 'Host')
    }
    // A foreign but well-formed origin (and a sandboxed page's "null") is simply not this machine.
    for (const origin of ['null', 'http://127.0.0.2:80', 'https://evil.example']) {
      const answer = await s.call('POST', '/api/flows', { body: chainFlow('x'), headers: { origin } })
      expect(answer.status, origin).toBe(401)
    }
    expect((await s.call('GET', '/api/flows')).body.items).toEqual([])
    const local = await s.call('POST', '/api/flows', {
      body: chainFlow('x'),
      headers: { host: 'localhost:8080', origin: 'http://localhost:8080' },
    })
    expect(local.status).toBe(201)
  })

  it('the first key made in single-user mode must be an admin key', async () => {
    server = await startTestServer()
    const runner = await server.call('POST', '/api/keys', { body: { name: 'ci', role: 'runner' } })
    expect(runner.status).toBe(400)
    expect(runner.body.error.message).toMatch(/^role: the first key must be an admin key/)
    // Still open: the refused key was not stored.
    expect((await server.call('GET', '/api/keys')).body.items).toEqual([])
    const admin = await server.call('POST', '/api/keys', { body: { name: 'me', role: 'admin' } })
    expect(admin.status).toBe(201)
    const second = await server.call('POST', '/api/keys', {
      token: admin.body.key,
      body: { name: 'ci', role: 'runner' },
    })
    expect(second.status).toBe(201)
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
  const path = '/api/flows/tc/trigger/totalcloud'
  const signed = (
    body: string,
    timestamp = Math.floor(Date.now() / 1000),
    secret = SECRET,
    forPath = path
  ) => ({
    'content-type': 'application/json',
    'x-qflow-timestamp': String(timestamp),
    'x-qflow-signature': signRequest(secret, timestamp, forPath, body),
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

  it('a request signed for one flow is refused on another (the path is signed)', async () => {
    const s = await withAdmin()
    await deployed(s)
    await s.call('POST', '/api/flows', {
      token: ADMIN,
      body: { ...chainFlow('other', { kind: 'totalcloud' }), deployed: true },
    })
    const body = JSON.stringify({})
    const headers = signed(body)
    const elsewhere = await s.call('POST', '/api/flows/other/trigger/totalcloud', { body, headers })
    expect(elsewhere.status).toBe(401)
    expect(elsewhere.body.error.code).toBe('SIGNATURE_INVALID')
    expect((await s.call('GET', '/api/flows/other/runs', { token: ADMIN })).body.total).toBe(0)
    // The same request on the flow it was signed for still goes through: the refusal used nothing up.
    expect((await s.call('POST', path, { body, headers })).status).toBe(202)
  })

  it('a refused signed request can be sent again; once accepted it is a replay', async () => {
    const s = await withAdmin()
    await s.call('POST', '/api/flows', { token: ADMIN, body: chainFlow('tc', { kind: 'totalcloud' }) })
    const body = JSON.stringify({ input: { scan: 1 } })
    const headers = signed(body)
    const undeployed = await s.call('POST', path, { body, headers })
    expect(undeployed.status).toBe(409)
    expect(undeployed.body.error.code).toBe('FLOW_NOT_DEPLOYED')
    expect((await s.call('POST', '/api/flows/tc/deploy', { token: ADMIN })).status).toBe(200)
    // The identical request, retried from another process sharing the database, is accepted...
    const second = await startTestServer({
      dir: s.dir,
      runtime: { auth: { mode: 'auto', adminToken: ADMIN, signingSecrets: [SECRET] } },
    })
    try {
      const retried = await second.call('POST', path, { body, headers })
      expect(retried.status).toBe(202)
      // ...and from then on it is a replay, in either process.
      for (const server of [s, second]) {
        const replay = await server.call('POST', path, { body, headers })
        expect(replay.status).toBe(401)
        expect(replay.body.error.code).toBe('SIGNATURE_REPLAYED')
      }
    } finally {
      await second.close()
    }
  })

  it('a signed request refused for its body can be retried (any answer but a success releases it)', async () => {
    const s = await withAdmin()
    await deployed(s)
    const bad = JSON.stringify({ variables: { nope: 1 } })
    const badHeaders = signed(bad)
    for (let attempt = 0; attempt < 2; attempt++) {
      const refused = await s.call('POST', path, { body: bad, headers: badHeaders })
      expect(refused.status).toBe(400)
    }
    const broken = '{"input":'
    const brokenHeaders = signed(broken)
    for (let attempt = 0; attempt < 2; attempt++) {
      expect((await s.call('POST', path, { body: broken, headers: brokenHeaders })).status).toBe(400)
    }
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
    const post = (to: string, text: string) =>
      s.call('POST', to, { body: text, headers: signed(text, undefined, undefined, to) })
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
