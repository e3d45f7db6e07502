import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../server/config.ts'
import { corsMiddleware, parseCorsOrigins } from '../../server/middleware/cors.ts'
import { startTestServer } from '../support/server.ts'

function app(origins: string[]) {
  return new Hono().use('/api/*', corsMiddleware(origins)).put('/api/flows/x', (c) => {
    c.header('ETag', '"2"')
    return c.json({ ok: true })
  })
}

const PORTAL = 'https://portal.example'

/** A browser's preflight from the portal, asking to send `headers` with `method`. */
function preflight(method: string, headers: string) {
  return app([PORTAL]).request('/api/flows/x', {
    method: 'OPTIONS',
    headers: {
      origin: PORTAL,
      'access-control-request-method': method,
      'access-control-request-headers': headers,
    },
  })
}

/** The request itself, from `origin`. */
function put(origins: string[], origin: string) {
  return app(origins).request('/api/flows/x', { method: 'PUT', headers: { origin } })
}

describe('CORS allow-list', () => {
  it('parses QFLOW_CORS_ORIGINS', () => {
    expect(parseCorsOrigins(' https://a.example/, http://localhost:3000 ,,')).toEqual([
      'https://a.example',
      'http://localhost:3000',
    ])
    expect(parseCorsOrigins(undefined)).toEqual([])
  })
  it('answers a preflight from a listed origin with the headers the editor sends', async () => {
    const res = await preflight('PUT', 'authorization, if-match, content-type')
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe(PORTAL)
    expect(res.headers.get('access-control-allow-headers')).toContain('if-match')
    expect(res.headers.get('access-control-allow-credentials')).toBeNull()
  })
  it('exposes the ETag to a listed origin and says nothing to others', async () => {
    const listed = await put([PORTAL], PORTAL)
    expect(listed.headers.get('access-control-allow-origin')).toBe(PORTAL)
    expect(listed.headers.get('access-control-expose-headers')).toContain('etag')
    const other = await put([PORTAL], 'https://evil.example')
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
  })
  it('lets a page send Idempotency-Key and read the replay, 429 and 405 headers', async () => {
    const asked = await preflight('POST', 'authorization, content-type, idempotency-key')
    expect(asked.headers.get('access-control-allow-headers')).toContain('idempotency-key')
    const res = await put([PORTAL], PORTAL)
    const exposed = res.headers.get('access-control-expose-headers') ?? ''
    for (const name of ['idempotent-replayed', 'retry-after', 'allow']) expect(exposed).toContain(name)
  })
  it('allows any origin with *', async () => {
    const res = await put(['*'], 'http://127.0.0.1:5000')
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5000')
  })
  it('refuses a QFLOW_CORS_ORIGINS that is not a list of origins, naming it', () => {
    expect(() => loadConfig({ QFLOW_CORS_ORIGINS: 'portal.example.com' })).toThrow(ConfigError)
    expect(() => loadConfig({ QFLOW_CORS_ORIGINS: 'portal.example.com' })).toThrow(/QFLOW_CORS_ORIGINS/)
    // An origin never has a path: a browser's Origin header would never match it.
    expect(() => loadConfig({ QFLOW_CORS_ORIGINS: 'http://a.com/path' })).toThrow(/no path/)
    expect(loadConfig({ QFLOW_CORS_ORIGINS: 'http://a.com/, http://b.com:3000' }).corsOrigins).toEqual([
      'http://a.com',
      'http://b.com:3000',
    ])
  })
  it('is mounted by the app for the API when origins are configured', async () => {
    const server = await startTestServer({ app: { corsOrigins: ['https://portal.example'] } })
    try {
      const res = await server.call('OPTIONS', '/api/flows', undefined, {
        origin: 'https://portal.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      })
      expect(res.status).toBe(204)
      expect(res.headers.get('access-control-allow-origin')).toBe(PORTAL)
      // An origin not on the list gets no CORS grant, whatever the API answers it.
      const list = await server.call('GET', '/api/flows', undefined, { origin: 'https://other.example' })
      expect(list.headers.get('access-control-allow-origin')).toBeNull()
    } finally {
      await server.close()
    }
  })
})
