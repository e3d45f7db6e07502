import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRegistry } from '../../core/plugin/registry.ts'
import trigger from '../../plugins/trigger/index.ts'
import { createApp } from '../../server/app.ts'
import { createServerContext } from '../../server/context.ts'
import { type HranaServer, startHranaServer } from '../support/hrana-server.ts'
import { testPlugins } from '../support/plugins.ts'

// The same server code against a libSQL server by URL with an auth token, instead of a file.
describe('a libSQL server by URL', () => {
  let dir: string
  let hrana: HranaServer
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qflow-remote-'))
    hrana = await startHranaServer(join(dir, 'remote.db'), 'sekret')
  })
  afterAll(async () => {
    await hrana.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const open = (authToken: string) =>
    createServerContext({
      config: { db: { url: hrana.url, authToken }, bodyLimit: 1 << 20, logLevel: 'silent' },
      registry: createRegistry([trigger, ...testPlugins]),
    })

  it('migrates, stores a flow and records a run through the remote driver', async () => {
    const ctx = await open('sekret')
    const app = createApp(ctx)
    const created = await app.request('/api/flows', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'remote', nodes: [{ id: 't', type: 'trigger', typeVersion: 1 }] }),
    })
    expect(created.status).toBe(201)
    const { flow } = await created.json()
    const started = await app.request(`/api/flows/${flow.id}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: { hello: 'remote' } }),
    })
    expect(started.status, await started.clone().text()).toBe(202)
    const { id } = await started.json()
    let run: any
    for (let i = 0; i < 300; i++) {
      run = await (await app.request(`/api/runs/${id}`)).json()
      if (run.status === 'succeeded' || run.status === 'failed') break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(run.status).toBe('succeeded')
    const output = await (await app.request(`/api/runs/${id}/steps/t/output`)).json()
    expect(output).toEqual({ out: [{ hello: 'remote' }] })
    await ctx.close(0)
  })

  it('fails to start with a clear error when the token is wrong', async () => {
    await expect(open('wrong')).rejects.toThrow(
      /QFLOW_DB_URL: cannot open http:\/\/127\.0\.0\.1:\d+: .*Unauthorized/
    )
  })
})
