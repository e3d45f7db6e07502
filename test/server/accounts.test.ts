import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../server/app.ts'
import { createServerContext, type ServerContext } from '../../server/context.ts'
import { MOTO_CREDENTIALS, type Moto, startMoto } from '../support/moto.ts'

let moto: Moto
let folder: string
let ctx: ServerContext
let app: ReturnType<typeof createApp>

/** The real app on a real libSQL file, as `serve` builds it. */
async function boot(dir: string, secretKey: string) {
  const context = await createServerContext({
    config: { db: { url: `file:${join(dir, 'qflow.db')}` }, bodyLimit: 1024 * 1024, logLevel: 'silent' },
    secretKey,
  })
  return { context, app: createApp(context) }
}

const json = (method: string, path: string, body?: unknown) =>
  app.request(path, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  })

beforeAll(async () => {
  moto = await startMoto()
  folder = mkdtempSync(join(tmpdir(), 'qflow-accounts-'))
  ;({ context: ctx, app } = await boot(folder, 'accounts-test-key'))
})
afterAll(async () => {
  await ctx?.close(0)
  await moto?.stop()
  rmSync(folder, { recursive: true, force: true })
})

const staticAccount = () => ({
  id: 'prod',
  name: 'Production',
  kind: 'aws',
  accountId: '123456789012',
  regions: ['us-east-1', 'eu-west-1'],
  endpoint: moto.endpoint,
  credentials: { type: 'static', ...MOTO_CREDENTIALS },
})

describe('accounts API', () => {
  it('creates an account with static keys, stores the secret sealed and never returns it', async () => {
    const res = await json('POST', '/api/accounts', staticAccount())
    expect(res.status).toBe(201)
    const body = await res.json()
    expect(body.credentials).toEqual({
      type: 'static',
      accessKeyId: 'AKIA************0001',
      secretStored: true,
    })
    expect(JSON.stringify(body)).not.toContain(MOTO_CREDENTIALS.secretAccessKey)
    const row = await ctx.database.client.execute("select credentials from accounts where id = 'prod'")
    expect(String(row.rows[0]!.credentials)).not.toContain(MOTO_CREDENTIALS.secretAccessKey)
    expect(String(row.rows[0]!.credentials)).toContain('"sealed":"v1:')

    const again = await json('POST', '/api/accounts', staticAccount())
    expect(again.status).toBe(409)
    expect((await again.json()).error.code).toBe('ACCOUNT_EXISTS')
  })

  it('tests credentials with STS GetCallerIdentity', async () => {
    const res = await json('POST', '/api/accounts/prod/test')
    const body = await res.json()
    expect(body).toMatchObject({ ok: true, region: 'us-east-1', account: '123456789012' })
    expect(body.arn).toContain('arn:aws:')
  })

  it('assumes a role with an external id on top of the base credentials', async () => {
    const res = await json('POST', '/api/accounts', {
      ...staticAccount(),
      id: 'audit',
      name: 'Audit role',
      assumeRole: { roleArn: 'arn:aws:iam::123456789012:role/qflow-audit', externalId: 'ext-123' },
    })
    expect(res.status).toBe(201)
    const test = await (await json('POST', '/api/accounts/audit/test')).json()
    expect(test.ok).toBe(true)
    expect(test.arn).toContain('assumed-role/qflow-audit/qflow-audit')
  })

  it('lists, reads, renames without resending the secret, and deletes', async () => {
    const list = await (await json('GET', '/api/accounts')).json()
    // The demo account is seeded at boot beside the ones created here.
    expect(list.items.map((a: any) => a.id)).toEqual(['audit', 'demo', 'prod'])
    const renamed = await json('PUT', '/api/accounts/prod', {
      name: 'Prod (main)',
      kind: 'aws',
      regions: ['us-east-1'],
      endpoint: moto.endpoint,
      accountId: '123456789012',
    })
    expect(renamed.status).toBe(200)
    expect((await renamed.json()).credentials.type).toBe('static')
    expect((await (await json('POST', '/api/accounts/prod/test')).json()).ok).toBe(true)
    expect((await json('DELETE', '/api/accounts/audit')).status).toBe(204)
    const gone = await json('GET', '/api/accounts/audit')
    expect(gone.status).toBe(404)
    expect(await gone.json()).toEqual({
      error: { code: 'ACCOUNT_NOT_FOUND', message: 'no account with id "audit"', details: { id: 'audit' } },
    })
  })

  it('keeps the stored secret when static keys are resent with the same accessKeyId and no secret', async () => {
    await json('POST', '/api/accounts', { ...staticAccount(), id: 'keep' })
    const { secretAccessKey: _secret, ...keyIdOnly } = MOTO_CREDENTIALS
    const update = (credentials: unknown) =>
      json('PUT', '/api/accounts/keep', { ...staticAccount(), id: undefined, name: 'Kept', credentials })
    const kept = await update({ type: 'static', ...keyIdOnly })
    expect(kept.status).toBe(200)
    expect((await kept.json()).credentials.secretStored).toBe(true)
    expect((await (await json('POST', '/api/accounts/keep/test')).json()).ok).toBe(true)
    // A session token may be added without resending the secret.
    expect((await update({ type: 'static', ...keyIdOnly, sessionToken: 'token-1' })).status).toBe(200)
    expect((await (await json('POST', '/api/accounts/keep/test')).json()).ok).toBe(true)
    // Another key id needs its own secret, as does a new account.
    const otherKey = await update({ type: 'static', accessKeyId: 'AKIAOTHERKEY00000002' })
    expect(otherKey.status).toBe(400)
    expect((await otherKey.json()).error.message).toMatch(
      /^credentials\.secretAccessKey: required with a new accessKeyId/
    )
    const fresh = await json('POST', '/api/accounts', {
      ...staticAccount(),
      id: 'no-secret',
      credentials: { type: 'static', ...keyIdOnly },
    })
    expect(fresh.status).toBe(400)
    expect((await fresh.json()).error.message).toBe('credentials.secretAccessKey: required')
  })

  it('reports what a failing account says instead of failing the request', async () => {
    await json('POST', '/api/accounts', { ...staticAccount(), id: 'down', endpoint: 'http://127.0.0.1:9' })
    const test = await (await json('POST', '/api/accounts/down/test')).json()
    expect(test.ok).toBe(false)
    expect(test.error.code).toBe('ECONNREFUSED')
  })

  it('finds credentials through a named profile and through the default provider chain', async () => {
    // The SDK reads these at call time; set only for this case and put back after it.
    const saved = { ...process.env }
    const credentialsFile = join(folder, 'aws-credentials')
    writeFileSync(
      credentialsFile,
      `[qflow-audit]\naws_access_key_id = ${MOTO_CREDENTIALS.accessKeyId}\naws_secret_access_key = ${MOTO_CREDENTIALS.secretAccessKey}\n`
    )
    try {
      process.env.AWS_SHARED_CREDENTIALS_FILE = credentialsFile
      process.env.AWS_CONFIG_FILE = join(folder, 'no-aws-config')
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'])
        delete process.env[name]
      const viaProfile = {
        ...staticAccount(),
        id: 'by-profile',
        credentials: { type: 'profile', profile: 'qflow-audit' },
      }
      expect((await json('POST', '/api/accounts', viaProfile)).status).toBe(201)
      expect(await (await json('POST', '/api/accounts/by-profile/test')).json()).toMatchObject({
        ok: true,
        account: '123456789012',
      })
      const missing = { ...viaProfile, id: 'no-profile', credentials: { type: 'profile', profile: 'nobody' } }
      await json('POST', '/api/accounts', missing)
      const refused = await (await json('POST', '/api/accounts/no-profile/test')).json()
      expect(refused.ok).toBe(false)
      expect(JSON.stringify(refused.error)).toContain('nobody')

      process.env.AWS_ACCESS_KEY_ID = MOTO_CREDENTIALS.accessKeyId
      process.env.AWS_SECRET_ACCESS_KEY = MOTO_CREDENTIALS.secretAccessKey
      const viaChain = { ...staticAccount(), id: 'by-chain', credentials: { type: 'default' } }
      expect((await json('POST', '/api/accounts', viaChain)).status).toBe(201)
      expect(await (await json('POST', '/api/accounts/by-chain/test')).json()).toMatchObject({ ok: true })
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name]
      Object.assign(process.env, saved)
      for (const id of ['by-profile', 'no-profile', 'by-chain']) await json('DELETE', `/api/accounts/${id}`)
    }
  })

  it('refuses bad input with a message naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ ...staticAccount(), id: 'x1', regions: ['moon-1'] }, 'regions.0: a region looks like us-east-1'],
      [{ ...staticAccount(), id: 'x2', name: '' }, 'name: an account needs a name'],
      [
        { ...staticAccount(), id: 'x2m', endpoint: 'http://169.254.169.254/latest' },
        'endpoint: endpoint may not be a link-local address',
      ],
      [
        { ...staticAccount(), id: 'x2v', endpoint: 'http://[fd00:ec2::254]/' },
        'endpoint: endpoint may not be',
      ],
      [
        { ...staticAccount(), id: 'x2w', endpoint: 'http://[::ffff:169.254.169.254]:80/' },
        'endpoint: endpoint may not be',
      ],
      [{ ...staticAccount(), id: 'x2x', endpoint: 'http://[fe80::1]/' }, 'endpoint: endpoint may not be'],
      [{ ...staticAccount(), id: 'x3', accountId: '12' }, 'accountId: an AWS account id is 12 digits'],
      [
        {
          ...staticAccount(),
          id: 'x4',
          credentials: { type: 'static', accessKeyId: 'AKIA0000000000000000' },
        },
        'credentials.secretAccessKey',
      ],
      [
        { ...staticAccount(), id: 'x5', assumeRole: { roleArn: 'role' } },
        'assumeRole.roleArn: a role ARN looks like',
      ],
      [
        { id: 'x6', name: 'snap', kind: 'snapshot' },
        'path: a snapshot account needs exactly one of path or files',
      ],
      [
        { id: 'x7', name: 'snap', kind: 'snapshot', path: '/nowhere/at/all' },
        'path: not a snapshot folder inside the allowed roots',
      ],
      [
        { id: 'x8', name: 'snap', kind: 'snapshot', files: { 'mars/rds.DescribeDBInstances.json': {} } },
        'files.mars/rds.DescribeDBInstances.json',
      ],
      [{ ...staticAccount(), id: 'x9', kind: 'gcp' }, 'kind'],
      [
        { id: 'x10', name: 'snap', kind: 'snapshot', files: {} },
        'files: an upload needs at least one recorded response',
      ],
      [
        {
          id: 'x11',
          name: 'snap',
          kind: 'snapshot',
          files: { 'rds.DescribeDBInstances.json': { Wrong: [] } },
        },
        'files.rds.DescribeDBInstances.json: does not look like a DescribeDBInstances response: no "DBInstances" list (expected {"DBInstances": [...]}; it has Wrong)',
      ],
      [
        {
          id: 'x12',
          name: 'snap',
          kind: 'snapshot',
          files: { 'eu-west-1/ec2.DescribeInstances.json': { Reservations: [{ Instances: [] }, {}] } },
        },
        'files.eu-west-1/ec2.DescribeInstances.json: does not look like a DescribeInstances response: Reservations[1] has no "Instances" list',
      ],
      [
        {
          id: 'x13',
          name: 'snap',
          kind: 'snapshot',
          files: { 'ec2.GetManagedPrefixListEntries.pl-1.json': { Entries: [] } },
        },
        'files.ec2.GetManagedPrefixListEntries.pl-1.json: does not look like a GetManagedPrefixListEntries response: no "PrefixListId"',
      ],
      [
        { id: 'x14', name: 'snap', kind: 'snapshot', files: { 'rds.DescribeDBClusters.json': [] } },
        'files.rds.DescribeDBClusters.json: is not a JSON object',
      ],
    ]
    for (const [input, message] of cases) {
      const res = await json('POST', '/api/accounts', input)
      expect(res.status, message).toBe(400)
      expect((await res.json()).error.message).toContain(message)
    }
    const malformed = await app.request('/api/accounts', {
      method: 'POST',
      body: '{"name":',
      headers: { 'content-type': 'application/json' },
    })
    expect((await malformed.json()).error.code).toBe('JSON_MALFORMED')
    expect((await json('GET', '/api/accounts')).status).toBe(200)
  })

  it('needs QFLOW_SECRET_KEY for static keys', async () => {
    const folder2 = mkdtempSync(join(tmpdir(), 'qflow-accounts-nokey-'))
    const other = await boot(folder2, '')
    const res = await other.app.request('/api/accounts', {
      method: 'POST',
      body: JSON.stringify(staticAccount()),
      headers: { 'content-type': 'application/json' },
    })
    expect(res.status).toBe(400)
    expect((await res.json()).error).toMatchObject({
      code: 'SECRET_KEY_MISSING',
      message: expect.stringContaining('QFLOW_SECRET_KEY'),
    })
    await other.context.close(0)
    rmSync(folder2, { recursive: true, force: true })
  })

  it('creates snapshot accounts from a folder and from uploaded files', async () => {
    const fromPath = await json('POST', '/api/accounts', {
      id: 'case',
      name: 'Case',
      kind: 'snapshot',
      path: '../shared/aws-cases/recorded/cc-aurora-multisg-before-modify',
    })
    expect(fromPath.status).toBe(201)
    expect((await fromPath.json()).regions).toEqual(['us-east-1'])
    const uploaded = await json('POST', '/api/accounts', {
      id: 'upload',
      name: 'Upload',
      kind: 'snapshot',
      accountId: '210987654321',
      files: {
        'rds.DescribeDBInstances.json': { DBInstances: [] },
        'eu-west-1/rds.DescribeDBInstances.json': { DBInstances: [] },
      },
    })
    const body = await uploaded.json()
    expect(body.regions).toEqual(['us-east-1', 'eu-west-1'])
    expect(body.snapshot).toEqual({ files: 2 })
    const test = await (await json('POST', '/api/accounts/upload/test')).json()
    expect(test).toMatchObject({ ok: true, account: '210987654321' })
  })

  it('takes back the shape GET shows: snapshot {path} or {files} as the top-level fields', async () => {
    const demo = await (await json('GET', '/api/accounts/demo')).json()
    expect(demo.snapshot).toEqual({ path: 'examples/demo-estate' })
    const copy = await json('POST', '/api/accounts', {
      id: 'demo-copy',
      name: 'Demo copy',
      kind: 'snapshot',
      snapshot: demo.snapshot,
    })
    expect(copy.status).toBe(201)
    expect((await copy.json()).snapshot).toEqual({ path: 'examples/demo-estate' })
    const files = await json('POST', '/api/accounts', {
      id: 'files-copy',
      name: 'Files copy',
      kind: 'snapshot',
      snapshot: { files: { 'rds.DescribeDBInstances.json': { DBInstances: [] } } },
    })
    expect(files.status).toBe(201)
    expect((await files.json()).snapshot).toEqual({ files: 1 })
    // The file count GET shows cannot stand for the files themselves.
    const count = await json('POST', '/api/accounts', {
      id: 'count-copy',
      name: 'Count copy',
      kind: 'snapshot',
      snapshot: { files: 2 },
    })
    expect(count.status).toBe(400)
    expect((await count.json()).error.message).toMatch(
      /^files: the recorded files themselves.*send them again/
    )
  })
})

describe('accounts bound to flows', () => {
  const snapshot = (id: string) => ({
    id,
    name: id,
    kind: 'snapshot',
    files: { 'rds.DescribeDBInstances.json': { DBInstances: [] } },
  })
  const flowBoundTo = (id: string, accounts: string[], nodeAccounts: string[] = []) => ({
    id,
    name: id,
    accounts,
    nodes: [
      { id: 't', type: 'trigger', typeVersion: 1, config: {} },
      { id: 'r', type: 'aws-resource', typeVersion: 1, config: { accounts: nodeAccounts } },
    ],
    edges: [{ id: 'e', source: 't', sourcePort: 'out', target: 'r', targetPort: 'in' }],
  })

  it('reports an account the flow or a node names that does not exist, and deploy refuses it', async () => {
    const created = await json('POST', '/api/flows', flowBoundTo('ghostly', ['ghost', 'demo'], ['phantom']))
    expect(created.status).toBe(201)
    const { problems } = await created.json()
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'ACCOUNT_UNKNOWN',
        field: 'accounts',
        message: expect.stringMatching(/^accounts: .*"ghost"/),
      }),
      expect.objectContaining({ code: 'ACCOUNT_UNKNOWN', field: 'accounts', nodeId: 'r' }),
    ])
    const deploy = await json('POST', '/api/flows/ghostly/deploy')
    expect(deploy.status).toBe(400)
    expect((await deploy.json()).error.code).toBe('FLOW_INVALID')
    // Once the accounts exist, the same flow is fine.
    for (const id of ['ghost', 'phantom'])
      expect((await json('POST', '/api/accounts', snapshot(id))).status).toBe(201)
    expect((await (await json('GET', '/api/flows/ghostly')).json()).problems).toEqual([])
    expect((await json('POST', '/api/flows/ghostly/deploy')).status).toBe(200)
  })

  it('refuses to delete an account flows are bound to, naming them, unless forced', async () => {
    await json('POST', '/api/accounts', snapshot('in-use'))
    await json('POST', '/api/flows', flowBoundTo('uses-flow', ['in-use']))
    await json('POST', '/api/flows', flowBoundTo('uses-node', [], ['in-use']))
    const refused = await json('DELETE', '/api/accounts/in-use')
    expect(refused.status).toBe(409)
    const { error } = await refused.json()
    expect(error.code).toBe('ACCOUNT_IN_USE')
    expect(error.message).toMatch(/uses-flow, uses-node/)
    expect(error.details.flows.map((f: { id: string }) => f.id)).toEqual(['uses-flow', 'uses-node'])
    expect((await json('GET', '/api/accounts/in-use')).status).toBe(200)
    expect((await json('DELETE', '/api/accounts/in-use?force=maybe')).status).toBe(400)
    expect((await json('DELETE', '/api/accounts/in-use?force=true')).status).toBe(204)
    expect((await json('GET', '/api/accounts/in-use')).status).toBe(404)
    // A missing account is a 404, flows still bound to it or not.
    expect((await json('DELETE', '/api/accounts/in-use')).status).toBe(404)
  })
})
