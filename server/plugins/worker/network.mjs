/**
 * The only network path a plugin has: `fetch`, wrapped so that every request, and every redirect it
 * follows, goes to a host the plugin's manifest declares (or the operator granted). Raw sockets are
 * out of reach because Node built-ins cannot be imported (see hooks.mjs).
 */
const REDIRECTS = new Set([301, 302, 303, 307, 308])
const MAX_REDIRECTS = 5

/** `hooks.slack.com` (any port), `*.example.com` (subdomains), `127.0.0.1:8080` (that port only). */
export function hostAllowed(url, rules) {
  return rules.some((rule) => {
    const [name, port] = rule.toLowerCase().split(/:(?=\d+$)/)
    if (port !== undefined && url.port !== port && !(url.port === '' && defaultPort(url) === port))
      return false
    const hostname = url.hostname.toLowerCase().replace(/^\[|\]$/g, '')
    if (name.startsWith('*.')) return hostname.endsWith(name.slice(1))
    return hostname === name.replace(/^\[|\]$/g, '')
  })
}

function defaultPort(url) {
  return url.protocol === 'https:' ? '443' : '80'
}

export function networkDenied(message) {
  const err = new Error(message)
  err.name = 'NetworkDeniedError'
  err.code = 'QFLOW_NETWORK_DENIED'
  return err
}

function check(rawUrl, rules) {
  const url = new URL(rawUrl)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw networkDenied(`plugins may only fetch http(s) URLs, not ${url.protocol}`)
  }
  if (!hostAllowed(url, rules)) {
    const declared = rules.length > 0 ? rules.join(', ') : 'none'
    throw networkDenied(
      `the plugin may not reach "${url.host}": its manifest declares only these hosts: ${declared}`
    )
  }
}

export function guardedFetch(realFetch, rules) {
  return async function fetch(input, init) {
    let request = new Request(input, init)
    const follow = request.redirect === 'follow'
    for (let hop = 0; ; hop++) {
      check(request.url, rules)
      const response = await realFetch(new Request(request, { redirect: 'manual' }))
      const location = response.headers.get('location')
      if (!follow || !REDIRECTS.has(response.status) || !location) return response
      if (hop >= MAX_REDIRECTS) throw new TypeError(`fetch: more than ${MAX_REDIRECTS} redirects`)
      const next = new URL(location, request.url)
      const keepsBody = response.status === 307 || response.status === 308
      // A body stream cannot be sent twice: a 307/308 after a POST with a body is handed back as is.
      if (keepsBody && request.body !== null) return response
      request = new Request(next, {
        method: keepsBody ? request.method : request.method === 'HEAD' ? 'HEAD' : 'GET',
        headers: request.headers,
        signal: request.signal,
      })
    }
  }
}
