import type { Permission } from './roles.ts'

/**
 * The permission each API route needs, in one table so it can be read and reviewed at a glance.
 * The first matching rule wins. Routes not listed need `read` for GET and HEAD and `admin`
 * otherwise, so a route added later is never writable by accident.
 */
const RULES: { method: string; path: RegExp; permission: Permission }[] = [
  { method: '*', path: /^\/api\/keys(\/|$)/, permission: 'admin' },
  { method: '*', path: /^\/api\/(accounts|plugins|credentials)(\/|$)/, permission: 'admin' },
  { method: 'POST', path: /^\/api\/flows\/[^/]+\/runs$/, permission: 'run' },
  { method: 'POST', path: /^\/api\/runs\/[^/]+\/cancel$/, permission: 'run' },
  { method: 'POST', path: /^\/api\/events$/, permission: 'run' },
  { method: 'POST', path: /^\/api\/flows\/[^/]+\/trigger\/totalcloud$/, permission: 'run' },
  { method: 'POST', path: /^\/api\/flows\/[^/]+\/validate$/, permission: 'read' },
  { method: 'POST', path: /^\/api\/flows\/validate$/, permission: 'read' },
  { method: 'POST', path: /^\/api\/flows(\/|$)/, permission: 'edit' },
  { method: 'PUT', path: /^\/api\/flows(\/|$)/, permission: 'edit' },
  { method: 'PATCH', path: /^\/api\/flows(\/|$)/, permission: 'edit' },
  { method: 'DELETE', path: /^\/api\/flows(\/|$)/, permission: 'edit' },
  { method: 'POST', path: /^\/qflowapi\/v1\/workflows\/[^/]+\/run$/, permission: 'run' },
]

export function permissionFor(method: string, path: string): Permission {
  for (const rule of RULES) {
    if ((rule.method === '*' || rule.method === method) && rule.path.test(path)) return rule.permission
  }
  return method === 'GET' || method === 'HEAD' ? 'read' : 'admin'
}

/** The flow a path is about, for keys limited to some flows (runs are resolved separately). */
export function flowIdInPath(path: string): string | undefined {
  const match = /^\/(?:api\/flows|qflowapi\/v1\/workflows)\/([^/]+)/.exec(path)
  const id = match?.[1]
  return id && id !== 'import' && id !== 'validate' ? decoded(id) : undefined
}

/** The run a path is about, whose flow decides access for keys limited to some flows. */
export function runIdInPath(path: string): string | undefined {
  const match = /^\/(?:api\/runs|qflowapi\/v1\/executions)\/([^/]+)/.exec(path)
  return match?.[1] ? decoded(match[1]) : undefined
}

/** A path segment decoded; a malformed escape stays as sent (the route will 404 on it). */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}
