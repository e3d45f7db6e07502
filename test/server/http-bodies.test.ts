import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRegistry } from '../../core/plugin/registry.ts'
import { signRequest } from '../../server/auth/signature.ts'
import { loadConfig } from '../../server/config.ts'
import { type RunningServer, startServer } from '../../server/server.ts'
import { builtinAndTestPlugins } from '../support/plugins.ts'
import { chainFlow } from '../support/runtime-server.ts'

// Request bodies as a real socket delivers them (declared length, chunked, signed), which
// `app.request` does not exercise: the body limit reads Node's request, not a web Request.
const TOKEN = 'http-bodies-admin-token-0123'
const SECRET = 'http-bodies-signing-secret-42'
const LIMIT = 2048

let server: RunningServer
let dir: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qflow-http-bodies-'))
  server = await startServer(
    loadConfig({
      PORT: '0',
      QFLOW_DB_URL: `file:${join(dir, 'qflow.db')}`,
      QFLOW_LOG_LEVEL: 'silent',
      QFLOW_BODY_LIMIT: String(LIMIT),
      QFLOW_ADMIN_TOKEN: TOKEN,
      QFLOW_TOTALCLOUD_SECRETS: SECRET,
      QFLOW_WORKERS: '0',
    }),
    { registry: createRegistry(builtinAndTestPlugins) }
  )
  const created = await send('POST', '/api/flows', { body: [JSON.stringify(chainFlow('f1'))] })
  expect(created.status).toBe(201)
  const deployed = await send('POST', '/api/flows', {
    body: [JSON.stringify({ ...chainFlow('tc', { kind: 'totalcloud' }), deployed: true })],
  })
  expect(deployed.status).toBe(201)
})
afterAll(async () => {
  await server.close(0)
  rmSync(dir, { recursive: true, force: true })
})

/** One request; `body` parts are sent as chunks (chunked encoding) unless `length` is declared. */
function send(
  method: string,
  path: string,
  options: { body?: string[]; chunked?: boolean; headers?: Record<string, string>; auth?: boolean } = {}
): Promise<{ status: number; body: any }> {
  const parts = options.body ?? []
  const whole = parts.join('')
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      {
        method,
        headers: {
          'content-type': 'application/json',
          ...(options.auth === false ? {} : { authorization: `Bearer ${TOKEN}` }),
          ...(options.chunked ? {} : { 'content-length': String(Buffer.byteLength(whole)) }),
          ...options.headers,
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => {
          text += chunk
        })
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined })
        )
      }
    )
    req.on('error', reject)
    if (options.chunked) for (const part of parts) req.write(part)
    else req.write(whole)
    req.end()
  })
}

async function storedRuns(): Promise<number> {
  const result = await server.ctx.database.client.execute('SELECT count(*) AS n FROM runs')
  return Number(result.rows[0]!.n)
}

describe('request bodies over a real socket', () => {
  it('reads a declared-length body, and a chunked one, into the stored run', async () => {
    const plain = await send('POST', '/api/flows/f1/runs', { body: ['{"input":{"n":1}}'] })
    expect(plain.status).toBe(202)
    expect(plain.body.input).toEqual({ n: 1 })
    const chunked = await send('POST', '/api/flows/f1/runs', {
      body: ['{"input":', '{"n":', '2}}'],
      chunked: true,
    })
    expect(chunked.status).toBe(202)
    expect((await server.ctx.runs.get(chunked.body.id))?.input).toEqual({ n: 2 })
  })

  it('refuses a body over the limit with 413, declared or chunked, and stores nothing', async () => {
    const before = await storedRuns()
    const big = JSON.stringify({ input: { pad: 'x'.repeat(LIMIT) } })
    const declared = await send('POST', '/api/flows/f1/runs', { body: [big] })
    expect(declared.status).toBe(413)
    expect(declared.body.error.code).toBe('BODY_TOO_LARGE')
    const chunked = await send('POST', '/api/flows/f1/runs', {
      body: [big.slice(0, 1000), big.slice(1000)],
      chunked: true,
    })
    expect(chunked.status).toBe(413)
    expect(chunked.body.error.code).toBe('BODY_TOO_LARGE')
    expect(await storedRuns()).toBe(before)
  })

  it('a signed TotalCloud request: the signature check and the handler both read the body', async () => {
    const body = JSON.stringify({ input: { connector: 'aws-1' } })
    const timestamp = Math.floor(Date.now() / 1000)
    const accepted = await send('POST', '/api/flows/tc/trigger/totalcloud', {
      body: [body],
      auth: false,
      headers: {
        'x-qflow-timestamp': String(timestamp),
        'x-qflow-signature': signRequest(SECRET, timestamp, '/api/flows/tc/trigger/totalcloud', body),
      },
    })
    expect(accepted.status).toBe(202)
    expect((await server.ctx.runs.get(accepted.body.id))?.input).toEqual({ connector: 'aws-1' })
    const tampered = await send('POST', '/api/flows/tc/trigger/totalcloud', {
      body: [body.replace('aws-1', 'aws-2')],
      auth: false,
      headers: {
        'x-qflow-timestamp': String(timestamp),
        'x-qflow-signature': signRequest(SECRET, timestamp, '/api/flows/tc/trigger/totalcloud', body),
      },
    })
    expect(tampered.status).toBe(401)
  })
})
