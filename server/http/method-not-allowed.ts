import type { Hono, NotFoundHandler } from 'hono'
import { errorResponse } from './errors.ts'

/** Only the APIs answer 405: under `/` the editor's catch-all GET would claim every path. */
const API_PATH = /^\/(api|qflowapi)\//

/**
 * A not-found handler that tells "no such path" (404 ROUTE_NOT_FOUND) from "this path, another
 * method" (405 METHOD_NOT_ALLOWED with `Allow`, as RFC 9110 asks), so `PATCH /api/flows/x` says
 * which methods exist instead of claiming the route is missing. The route table is read from the
 * app on first use, after every route is registered.
 */
export function notFoundOrNotAllowed(app: Hono, notFound: NotFoundHandler): NotFoundHandler {
  let routes: { method: string; pattern: RegExp }[] | undefined
  return (c) => {
    if (!API_PATH.test(c.req.path)) return notFound(c)
    routes ??= app.routes
      .filter((route) => route.method !== 'ALL')
      .map((route) => ({ method: route.method, pattern: patternOf(route.path) }))
    const allowed = new Set(routes.filter((route) => route.pattern.test(c.req.path)).map((r) => r.method))
    if (allowed.size === 0 || allowed.has(c.req.method)) return notFound(c)
    if (allowed.has('GET')) allowed.add('HEAD')
    const allow = [...allowed].sort().join(', ')
    c.header('Allow', allow)
    return errorResponse(
      c,
      405,
      'METHOD_NOT_ALLOWED',
      `${c.req.method} is not allowed on ${c.req.path}; allowed: ${allow}`,
      {
        allowed: [...allowed].sort(),
      }
    )
  }
}

/** A hono route path (`/api/flows/:id`, `*`) as a regular expression for a whole path. */
function patternOf(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*'
      if (segment.startsWith(':')) return '[^/]+'
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    })
    .join('/')
  return new RegExp(`^${source}/?$`)
}
