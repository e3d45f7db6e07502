import type { Context, MiddlewareHandler } from 'hono'
import { AppError, notFound } from '../errors.ts'
import { withArticle } from '../plural.ts'
import { type AuthSettings, isLoopbackAddress, isLoopbackOrigin } from './access-mode.ts'
import { digestOf, sameDigest } from './key-material.ts'
import type { KeyStore } from './keys.ts'
import type { ReplayGuard } from './replay-guard.ts'
import { type Principal, roleAllows } from './roles.ts'
import { flowIdInPath, permissionFor, runIdInPath } from './route-permissions.ts'
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from './signature.ts'

export type AuthEnv = { Variables: { principal: Principal } }

export interface AccessDeps {
  settings: AuthSettings
  keys: KeyStore
  replay: ReplayGuard
  /** The flow a run belongs to, for keys limited to some flows. */
  flowOfRun(runId: string): Promise<string | undefined>
  now?: () => number
}

const SIGNED_PATH = /^\/api\/flows\/([^/]+)\/trigger\/totalcloud$/

/**
 * Authenticate the caller and check the route's permission (see `route-permissions.ts`). The
 * principal is left on the context as `principal` for handlers that filter by flow.
 */
export function requireAccess(deps: AccessDeps): MiddlewareHandler<AuthEnv> {
  const now = deps.now ?? Date.now
  const adminDigest = deps.settings.adminToken ? digestOf(deps.settings.adminToken) : undefined
  return async (c, next) => {
    // A CORS preflight carries no credentials by design and reaches no handler's data.
    if (c.req.method === 'OPTIONS') return next()
    const { principal, signature } = await identify(c, deps, now, adminDigest)
    if (signature === undefined) return authorize(c, next, principal, deps)
    // A signed request keeps its claim on the signature only once it succeeded (the run was
    // accepted); refused or failed, it is released so the sender's retry is not a "replay".
    let succeeded = false
    try {
      await authorize(c, next, principal, deps)
      succeeded = c.res.status < 300
    } finally {
      // Not forgetting only costs the sender this retry; it must not turn the answer into a 500.
      if (!succeeded) await deps.replay.forget(signature).catch(() => {})
    }
  }
}

/** Check the route's permission (and a flow-limited key's flows), then hand on to the route. */
async function authorize(
  c: Context<AuthEnv>,
  next: () => Promise<void>,
  principal: Principal,
  deps: AccessDeps
) {
  const permission = permissionFor(c.req.method, c.req.path)
  if (!roleAllows(principal.role, permission)) {
    throw new AppError(
      403,
      'FORBIDDEN',
      `${withArticle(principal.role)} key may not do this (it needs ${permission})`,
      {
        role: principal.role,
        needs: permission,
      }
    )
  }
  if (principal.flowIds !== null) await checkFlowLimit(c.req.path, principal, deps, permission)
  c.set('principal', principal)
  await next()
}

async function identify(
  c: Context,
  deps: AccessDeps,
  now: () => number,
  adminDigest: Buffer | undefined
): Promise<{ principal: Principal; signature?: string }> {
  const authorization = c.req.header('authorization')
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization)
    if (!match) throw unauthorized('AUTH_INVALID', 'send the key as "Authorization: Bearer <key>"')
    const token = match[1]!
    if (adminDigest && sameDigest(token, adminDigest)) {
      return { principal: { id: 'admin-token', role: 'admin', flowIds: null } }
    }
    const principal = await deps.keys.authenticate(token)
    if (!principal) throw unauthorized('AUTH_INVALID', 'the key is unknown or was revoked')
    return { principal }
  }
  const signed = SIGNED_PATH.exec(c.req.path)
  if (signed && (c.req.header(SIGNATURE_HEADER) || c.req.header(TIMESTAMP_HEADER))) {
    const check = verifySignature({
      secrets: deps.settings.signingSecrets,
      timestamp: c.req.header(TIMESTAMP_HEADER),
      signature: c.req.header(SIGNATURE_HEADER),
      // The path as sent (still percent-encoded), which is what the connector signed.
      path: new URL(c.req.url).pathname,
      // Hono keeps the body, so the handler can still read it after this.
      body: await c.req.text(),
      now: now(),
    })
    if (!check.ok) throw unauthorized('SIGNATURE_INVALID', check.reason)
    if (!(await deps.replay.firstSeen(check.digest, check.expiresAt))) {
      throw unauthorized(
        'SIGNATURE_REPLAYED',
        'this signed request was already accepted (or is being handled right now)'
      )
    }
    return {
      principal: { id: 'signature', role: 'runner', flowIds: [decodeURIComponent(signed[1]!)] },
      signature: check.digest,
    }
  }
  if ((await localModeOpen(deps)) && fromThisMachine(c))
    return { principal: { id: 'local', role: 'admin', flowIds: null } }
  throw unauthorized(
    'AUTH_REQUIRED',
    signed
      ? 'this endpoint needs a signed request (X-QFlow-Timestamp and X-QFlow-Signature headers, see the README) or a key: send "Authorization: Bearer <key>"'
      : 'this API needs a key: send "Authorization: Bearer <key>"'
  )
}

/**
 * Whether a request like this one, without a key, would be refused: the app asks (through
 * `/healthz`) before its first API call, so it shows the key prompt instead of provoking a 401.
 */
export async function keyRequiredFor(
  c: Context,
  deps: Pick<AccessDeps, 'settings' | 'keys'>
): Promise<boolean> {
  if (!(await localModeOpen(deps))) return true
  try {
    return !fromThisMachine(c)
  } catch {
    return true // a malformed Host or Origin is refused anyway
  }
}

async function localModeOpen(deps: Pick<AccessDeps, 'settings' | 'keys'>): Promise<boolean> {
  const { mode, adminToken } = deps.settings
  if (mode === 'local') return true
  if (mode === 'keys' || adminToken) return false
  return (await deps.keys.countActive()) === 0
}

/**
 * A request from a process on this machine, to this machine by name, from no other web origin.
 * The socket check keeps other machines out; the Host check defeats DNS rebinding; the Origin check
 * stops a web page in the user's browser from posting to the local API.
 */
function fromThisMachine(c: Context): boolean {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming
  // No socket: the request was made in-process (`app.request`), by this program itself.
  if (incoming && !isLoopbackAddress(incoming.socket?.remoteAddress)) return false
  const host = c.req.header('host')
  if (host !== undefined && !HOST_HEADER.test(host))
    throw badHeader('Host', 'a host name or address and an optional port')
  if (host && !isLoopbackOrigin(host)) return false
  const origin = c.req.header('origin')
  if (origin === undefined) return true
  // Browsers send "null" for sandboxed and file pages: a foreign origin, not a malformed one.
  if (origin === 'null') return false
  const parsed = ORIGIN_HEADER.exec(origin)
  if (!parsed || !HOST_HEADER.test(parsed[1]!))
    throw badHeader('Origin', 'a scheme and a host, e.g. http://127.0.0.1:8080')
  return isLoopbackOrigin(origin) && parsed[1]!.toLowerCase() === host?.toLowerCase()
}

/** A `Host` header (RFC 9110): a name, IPv4 or bracketed IPv6 address, and an optional port. */
const HOST_HEADER = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/
/** A serialized origin (RFC 6454): scheme "://" host, nothing after. */
const ORIGIN_HEADER = /^https?:\/\/([^/?#@\s]+)$/i

function badHeader(header: string, expected: string): AppError {
  return new AppError(400, 'HEADER_INVALID', `${header}: expected ${expected}`, { field: header })
}

async function checkFlowLimit(path: string, principal: Principal, deps: AccessDeps, permission: string) {
  if (permission === 'admin') {
    throw new AppError(
      403,
      'FORBIDDEN',
      'a key limited to some flows cannot manage keys, accounts or plugins'
    )
  }
  // Another flow, or a run of one, answers as if it did not exist: a limited key learns no ids.
  const flowId = flowIdInPath(path)
  if (flowId !== undefined) {
    if (!principal.flowIds!.includes(flowId)) throw notFound('flow', flowId)
    return
  }
  const runId = runIdInPath(path)
  if (runId === undefined) return
  const runFlow = await deps.flowOfRun(runId)
  if (runFlow !== undefined && !principal.flowIds!.includes(runFlow)) {
    throw notFound(path.startsWith('/qflowapi/') ? 'execution' : 'run', runId)
  }
}

function unauthorized(code: string, message: string): AppError {
  return new AppError(401, code, message, undefined, { 'WWW-Authenticate': 'Bearer' })
}

/** The authenticated caller of a request (undefined only on routes outside the API). */
export function principalOf(c: Context): Principal | undefined {
  return (c as Context<AuthEnv>).get('principal')
}
