import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../support/server.ts'

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

describe('app', () => {
  it('GET /healthz checks the database', async () => {
    server = await startTestServer()
    const response = await server.call('GET', '/healthz')
    expect(response.status).toBe(200)
    // No key exists and the test calls in-process, as from this machine: none needed.
    expect(await response.json()).toEqual({ status: 'ok', database: 'ok', keyRequired: false })
    server.ctx.database.close()
    const down = await server.call('GET', '/healthz')
    expect(down.status).toBe(503)
  })

  it('GET /api/node-types lists manifests with their config as JSON Schema', async () => {
    server = await startTestServer()
    const body = (await (await server.call('GET', '/api/node-types')).json()) as any
    const types = body.items.map((item: any) => item.type)
    expect(types).toContain('trigger')
    expect(types).toContain('test-emit')
    const emit = body.items.find((item: any) => item.type === 'test-emit')
    expect(emit.configSchema.properties.count.type).toBe('integer')
    expect(emit.inputs).toEqual([{ name: 'in' }])
  })

  it('mounts extra route groups under /api, behind the API middleware', async () => {
    const seen: string[] = []
    server = await startTestServer({
      app: {
        apiMiddleware: [
          async (c, next) => {
            seen.push(c.req.path)
            // A header of its own: Authorization belongs to the built-in key check, which runs first.
            if (c.req.header('x-test-auth') !== 'ok')
              return c.json({ error: { code: 'UNAUTHENTICATED', message: 'no' } }, 401)
            await next()
          },
        ],
        routeGroups: [() => new Hono().get('/echo', (c) => c.json({ ok: true }))],
      },
    })
    expect((await server.call('GET', '/api/echo')).status).toBe(401)
    expect((await server.call('GET', '/api/echo', undefined, { 'x-test-auth': 'ok' })).status).toBe(200)
    expect((await server.call('GET', '/api/flows')).status).toBe(401)
    expect((await server.call('GET', '/healthz')).status).toBe(200)
    expect(seen).toEqual(['/api/echo', '/api/echo', '/api/flows'])
  })

  it('serves the built editor and its embed script when ui/dist exists', async () => {
    const ui = mkdtempSync(join(tmpdir(), 'qflow-ui-'))
    try {
      mkdirSync(join(ui, 'embed'))
      writeFileSync(join(ui, 'index.html'), '<!doctype html><qflow-app></qflow-app>')
      writeFileSync(
        join(ui, 'embed', 'qflow-editor.js'),
        'customElements.define("qflow-editor", class extends HTMLElement {})'
      )
      server = await startTestServer({ uiDir: ui })
      const index = await server.call('GET', '/')
      expect(index.status).toBe(200)
      expect(await index.text()).toContain('<qflow-app>')
      const script = await server.call('GET', '/embed/qflow-editor.js')
      expect(script.headers.get('content-type')).toMatch(/javascript/)
      expect(await script.text()).toContain('qflow-editor')
      const deepLink = await server.call('GET', '/flows/abc')
      expect(await deepLink.text()).toContain('<qflow-app>')
      expect((await server.call('GET', '/missing.js')).status).toBe(404)
      for (const apiPath of ['/api/nothing', '/qflowapi/v1/nothing']) {
        const missing = await server.call('GET', apiPath)
        expect(missing.status).toBe(404)
        expect(((await missing.json()) as any).error.code).toBe('ROUTE_NOT_FOUND')
      }
    } finally {
      rmSync(ui, { recursive: true, force: true })
    }
  })

  it('without a built editor, / is a JSON 404', async () => {
    server = await startTestServer({ uiDir: join(tmpdir(), 'qflow-no-such-ui') })
    const response = await server.call('GET', '/')
    expect(response.status).toBe(404)
  })
})
