/**
 * `fetch` for plugin code: refuses a URL whose host the plugin may not reach before any connection
 * is tried, and follows redirects itself so that each hop is checked the same way. This is the
 * friendly first check; the rule is enforced again, with the DNS answer, where the socket connects
 * (connect-guard.mjs), which also covers anything that reaches the network without this `fetch`.
 */
import { DENIED_CODE, matchingRule, networkDenied, normalHost } from './connect-guard.mjs'

const REDIRECTS = new Set([301, 302, 303, 307, 308])
const MAX_REDIRECTS = 5

function defaultPort(url) {
  return url.protocol === 'https:' ? '443' : '80'
}

function check(rawUrl, rules) {
  const url = new URL(rawUrl)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw networkDenied(`plugins may only fetch http(s) URLs, not ${url.protocol}`)
  }
  if (!matchingRule(rules, normalHost(url.hostname), url.port || defaultPort(url))) {
    const declared = rules.length > 0 ? rules.map((rule) => rule.text).join(', ') : 'none'
    throw networkDenied(
      `the plugin may not reach "${url.host}": its manifest declares only these hosts: ${declared}`
    )
  }
}

/** `fetch failed` says nothing; when the connect guard refused, say what it said. */
function unwrapDenial(err) {
  const cause = err?.cause
  return cause?.code === DENIED_CODE ? cause : err
}

/** `rules` are parsed rules (connect-guard.mjs parseRules). */
export function guardedFetch(realFetch, rules) {
  return async function fetch(input, init) {
    let request = new Request(input, init)
    const follow = request.redirect === 'follow'
    for (let hop = 0; ; hop++) {
      check(request.url, rules)
      const response = await realFetch(new Request(request, { redirect: 'manual' })).catch((err) => {
        throw unwrapDenial(err)
      })
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
