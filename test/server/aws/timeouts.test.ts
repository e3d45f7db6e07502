import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../../server/app.ts'
import { loadConfig } from '../../../server/config.ts'
import { createServerContext, type ServerContext } from '../../../server/context.ts'
import { gatewayFor } from '../../support/aws.ts'
import { MOTO_CREDENTIALS } from '../../support/moto.ts'
import { motoAccount } from '../../support/moto-seed.ts'
import { http, spawnServe } from '../../support/serve-process.ts'
import { type SilentServer, startSilentServer } from '../../support/silent-server.ts'

let silent: SilentServer
let folder: string
const contexts: ServerContext[] = []

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'qflow-aws-timeouts-'))
})
afterEach(async () => {
  for (const ctx of contexts.splice(0)) await ctx.close(0)
  await silent?.stop()
})
afterAll(() => {
  rmSync(folder, { recursive: true, force: true })
})

const silentAccount = (id: string) => ({
  id,
  name: id,
  kind: 'aws',
  regions: ['us-east-1'],
  endpoint: silent.endpoint,
  credentials: { type: 'static', ...MOTO_CREDENTIALS },
})

async function boot(name: string, awsTimeouts: { connectMs: number; requestMs: number; testMs: number }) {
  const ctx = await createServerContext({
    config: {
      db: { url: `file:${join(folder, `${name}.db`)}` },
      bodyLimit: 1024 * 1024,
      logLevel: 'silent',
      awsTimeouts,
    },
    secretKey: 'aws-timeouts-test-key',
    seedDemoAccount: false,
  })
  contexts.push(ctx)
  return { ctx, app: createApp(ctx) }
}

describe('AWS calls to an endpoint that accepts and never answers', () => {
  it('fail with NoAnswer naming the endpoint after two timed-out attempts, not the whole retry budget', async () => {
    silent = await startSilentServer()
    const aws = gatewayFor([motoAccount('silent', silent.endpoint, ['us-east-1'])], {
      timeouts: { connectMs: 1_000, requestMs: 200 },
    })
    try {
      const rds = await aws.client('silent', 'us-east-1', 'rds')
      const failure = await rds.send(new DescribeDBInstancesCommand({})).catch((err: Error) => err)
      expect(failure).toMatchObject({ name: 'NoAnswer' })
      expect((failure as Error).message).toBe(`no answer from ${silent.endpoint} within 0.2 s (2 attempts)`)
      expect(silent.accepted()).toBe(2)
    } finally {
      aws.close()
    }
  })

  it('AssumeRole gets the same limits: a silent endpoint fails the call instead of hanging it', async () => {
    silent = await startSilentServer()
    const aws = gatewayFor(
      [
        {
          ...motoAccount('role', silent.endpoint, ['us-east-1']),
          assumeRole: { roleArn: 'arn:aws:iam::123456789012:role/qflow-audit' },
        },
      ],
      { timeouts: { connectMs: 1_000, requestMs: 200 } }
    )
    try {
      const rds = await aws.client('role', 'us-east-1', 'rds')
      const failure = await rds.send(new DescribeDBInstancesCommand({})).catch((err: Error) => err)
      expect(failure).toMatchObject({
        name: 'NoAnswer',
        message: `no answer from ${silent.endpoint} within 0.2 s (2 attempts)`,
      })
    } finally {
      aws.close()
    }
  })

  it('POST /api/accounts/:id/test gives up at its own deadline and says so', async () => {
    silent = await startSilentServer()
    // The request limit is far longer than the test's deadline: the deadline alone ends it.
    const { app } = await boot('test-deadline', { connectMs: 5_000, requestMs: 60_000, testMs: 1_000 })
    const created = await app.request('/api/accounts', {
      method: 'POST',
      body: JSON.stringify(silentAccount('silent')),
      headers: { 'content-type': 'application/json' },
    })
    expect(created.status).toBe(201)
    const test = await (await app.request('/api/accounts/silent/test', { method: 'POST' })).json()
    expect(test).toMatchObject({
      ok: false,
      region: 'us-east-1',
      error: { code: 'NoAnswer', message: `no answer from ${silent.endpoint} within 1 s` },
    })
  })

  it('closing the server context ends a call in flight and closes its socket', async () => {
    silent = await startSilentServer()
    const { ctx, app } = await boot('close', { connectMs: 5_000, requestMs: 600_000, testMs: 600_000 })
    const created = await app.request('/api/accounts', {
      method: 'POST',
      body: JSON.stringify(silentAccount('silent')),
      headers: { 'content-type': 'application/json' },
    })
    expect(created.status).toBe(201)
    const rds = await ctx.aws.client('silent', 'us-east-1', 'rds')
    const pending = rds.send(new DescribeDBInstancesCommand({})).catch((err: Error) => err)
    await silent.connections(1)
    contexts.splice(contexts.indexOf(ctx), 1)
    await ctx.close(0)
    expect(await pending).toMatchObject({ name: 'ServerStopping' })
    await silent.allClosed()
  })

  it('a served process stops on SIGTERM while an account test waits on the endpoint', async () => {
    silent = await startSilentServer()
    const serve = await spawnServe({
      QFLOW_DB_URL: `file:${join(folder, 'serve.db')}`,
      QFLOW_SECRET_KEY: 'aws-timeouts-serve-key',
      QFLOW_AWS_REQUEST_TIMEOUT_MS: '600000',
      QFLOW_AWS_TEST_TIMEOUT_MS: '300000',
    })
    try {
      expect((await http(serve.url, 'POST', '/api/accounts', { body: silentAccount('silent') })).status).toBe(
        201
      )
      const waiting = http(serve.url, 'POST', '/api/accounts/silent/test').catch((err: Error) => err)
      await silent.connections(1)
      await serve.stop()
      expect(serve.child.exitCode).toBe(0)
      await waiting
      await silent.allClosed()
    } finally {
      await serve.kill('SIGKILL')
    }
  })

  it('reads its limits from the environment, with documented defaults', () => {
    expect(loadConfig({}).awsTimeouts).toEqual({ connectMs: 5_000, requestMs: 60_000, testMs: 10_000 })
    expect(
      loadConfig({ QFLOW_AWS_CONNECT_TIMEOUT_MS: '2000', QFLOW_AWS_REQUEST_TIMEOUT_MS: '30000' }).awsTimeouts
    ).toEqual({ connectMs: 2_000, requestMs: 30_000, testMs: 10_000 })
    expect(() => loadConfig({ QFLOW_AWS_REQUEST_TIMEOUT_MS: '5' })).toThrow(
      /QFLOW_AWS_REQUEST_TIMEOUT_MS: a whole number of ms from 1000 to 900000, got "5"/
    )
  })
})
