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
    // What a portal's scripts may send: the editor's headers, run creation's Idempotency-Key, a
    // resumed event stream's Last-Event-ID, and the TotalCloud trigger's signature headers.
    allowHeaders: [
      'authorization',
      'content-type',
      'if-match',
      'accept',
      'idempotency-key',
      'last-event-id',
      'x-qflow-signature',
      'x-qflow-timestamp',
    ],
    // ...and may read: versions, new resources' URLs, downloads, a replayed run, 429's wait, 405's methods.
    exposeHeaders: [
      'etag',
      'location',
      'content-disposition',
      'content-length',
      'idempotent-replayed',
      'retry-after',
      'allow',
    ],
    credentials: false,
    maxAge: 600,
  })
}
