import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'

/**
 * CORS for pages that embed the editor from another origin. Only the origins listed in
 * `QFLOW_CORS_ORIGINS` (comma-separated, e.g. `https://portal.example.com,http://localhost:3000`)
 * may call the API; `*` allows any. No cookies are involved: the editor sends a bearer token, so
 * credentials stay off.
 */
export function parseCorsOrigins(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter(Boolean)
}

export function corsMiddleware(origins: string[]): MiddlewareHandler {
  const any = origins.includes('*')
  return cors({
    origin: (origin) => (any || origins.includes(origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    allowHeaders: ['authorization', 'content-type', 'if-match', 'accept'],
    exposeHeaders: ['etag', 'location', 'content-disposition', 'content-length'],
    credentials: false,
    maxAge: 600,
  })
}
