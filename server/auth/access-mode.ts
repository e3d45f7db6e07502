/**
 * When requests without a key are let in. `keys`: never. `local`: from this machine only, and the
 * server refuses to bind anything but loopback. `auto` (default): like `local` while no key exists
 * (no `QFLOW_ADMIN_TOKEN`, no API key created), like `keys` from the first key on, so the quick
 * start needs no set-up and a server that has keys is never open.
 */
export const AUTH_MODES = ['auto', 'local', 'keys'] as const
export type AuthMode = (typeof AUTH_MODES)[number]

export interface AuthSettings {
  mode: AuthMode
  /** `QFLOW_ADMIN_TOKEN`: an admin key set by environment. */
  adminToken?: string
  /** `QFLOW_TOTALCLOUD_SECRETS`: HMAC secrets for signed TotalCloud trigger requests. */
  signingSecrets: string[]
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false
  const plain = address.replace(/^\[|\]$/g, '').replace(/^::ffff:/i, '')
  return plain === '::1' || plain === 'localhost' || /^127(\.\d{1,3}){3}$/.test(plain)
}

/** A `Host` or `Origin` that names this machine; anything else in local mode is DNS rebinding or CSRF. */
export function isLoopbackOrigin(value: string): boolean {
  try {
    const url = new URL(value.includes('://') ? value : `http://${value}`)
    return isLoopbackAddress(url.hostname)
  } catch {
    return false
  }
}

export class AccessConfigError extends Error {
  override name = 'AccessConfigError'
}

/**
 * Refuse to boot when the server would be reachable from other machines without any key: say how
 * to fix it rather than start open.
 */
export function checkBindingIsSafe(input: {
  host: string
  settings: AuthSettings
  activeKeys: number
}): void {
  if (isLoopbackAddress(input.host)) return
  if (input.settings.mode === 'local') {
    throw new AccessConfigError(
      `QFLOW_AUTH=local serves without keys, so it only binds to loopback; HOST is ${input.host}. ` +
        'Use HOST=127.0.0.1, or QFLOW_AUTH=keys with QFLOW_ADMIN_TOKEN or API keys.'
    )
  }
  if (!input.settings.adminToken && input.activeKeys === 0) {
    throw new AccessConfigError(
      `refusing to listen on ${input.host} without API keys: anyone who can reach it could run flows. ` +
        'Set QFLOW_ADMIN_TOKEN to a long random secret (e.g. `openssl rand -base64 32`), ' +
        'or create a key first while bound to 127.0.0.1 (`qflow keys create --role admin`).'
    )
  }
}
