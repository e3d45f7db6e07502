/**
 * The network rule of a plugin worker, enforced where connections are made: every TCP connection
 * the worker opens (through `fetch`, undici's dispatcher, or a socket a plugin dug out of either)
 * goes through `net.Socket.prototype.connect`, which this module replaces and locks before any
 * plugin code runs. It checks the host and port against the declared rules, then resolves the name
 * itself and hands the socket the address it checked: what is checked is what is connected to, so a
 * DNS answer that changes between a check and the connection (rebinding) changes nothing.
 *
 * Internal addresses (loopback, private, link-local, unique-local...; see addresses.mjs) are refused
 * unless the operator granted the host, or allowed internal addresses for all plugins: a manifest
 * naming `localhost` or `127.0.0.1` is not enough (in keyless single-user mode, qflow's own API on
 * loopback is full admin). qflow's own listening port on this machine is refused whatever was allowed.
 */
import { lookup as systemLookup } from 'node:dns'
import { isIP, Socket } from 'node:net'
import { canonicalIp, internalKind } from './addresses.mjs'

const { apply, defineProperty } = Reflect
const uncurry =
  (fn) =>
  (self, ...args) =>
    apply(fn, self, args)
const endsWith = uncurry(String.prototype.endsWith)
const slice = uncurry(String.prototype.slice)
const toLowerCase = uncurry(String.prototype.toLowerCase)
const isArray = Array.isArray
const ErrorClass = Error
const freeze = Object.freeze
const later = queueMicrotask

export const DENIED_CODE = 'QFLOW_NETWORK_DENIED'

export function networkDenied(message) {
  const err = new ErrorClass(message)
  defineProperty(err, 'name', { value: 'NetworkDeniedError' })
  defineProperty(err, 'code', { value: DENIED_CODE, enumerable: true })
  return err
}

/** `hooks.example.com.` and `hooks.example.com` are one host; `[::1]` and `::1` one address. */
export function normalHost(host) {
  let name = toLowerCase(host)
  if (name[0] === '[') name = slice(name, 1, name.length - 1)
  if (name.length > 1 && endsWith(name, '.')) name = slice(name, 0, name.length - 1)
  return canonicalIp(name) ?? name
}

/**
 * Parse host rules once, at load time: `hooks.slack.com` (any port), `*.example.com` (subdomains),
 * `127.0.0.1:8080` / `[::1]:8080` (that port only). Only `trusted` rules (granted by the operator)
 * may lead to internal addresses, even when the rule is itself such an address.
 */
export function parseRules(rules, trusted = []) {
  const trustedSet = new Set(trusted.map((rule) => rule.toLowerCase()))
  return freeze(
    rules.map((rule) => {
      const [rawName, port] = rule.toLowerCase().split(/:(?=\d+$)/)
      const wildcard = rawName.startsWith('*.')
      const name = wildcard ? rawName.slice(1) : normalHost(rawName)
      return freeze({ text: rule, name, wildcard, port, internalAllowed: trustedSet.has(rule.toLowerCase()) })
    })
  )
}

/** The first rule that lets `host:port` through, or undefined. `host` is already normalised. */
export function matchingRule(rules, host, port) {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]
    if (rule.port !== undefined && rule.port !== `${port}`) continue
    if (rule.wildcard ? endsWith(host, rule.name) : host === rule.name) return rule
  }
  return undefined
}

function declaredList(rules) {
  if (rules.length === 0) return 'none'
  let text = ''
  for (let i = 0; i < rules.length; i++) text += (i > 0 ? ', ' : '') + rules[i].text
  return text
}

const HOW_TO_ALLOW =
  'a manifest declaring it is not enough: internal addresses are reachable only when the operator granted ' +
  'the host (qflow plugin install --allow-host) or set QFLOW_PLUGIN_ALLOW_PRIVATE_NETWORK=1'

/** Kinds of address that mean "this machine" (addresses.mjs names them). */
function meansThisMachine(kind) {
  return kind !== undefined && (kind.startsWith('loopback') || kind.startsWith('unspecified'))
}

/**
 * The decisions, without touching any socket: `admit(host, port)` says whether a connection may
 * start (and, for a host name, returns the lookup that resolves and checks it); tests drive it directly.
 *
 * `overrides` maps host names to addresses and answers lookups for them instead of the system
 * resolver. It exists for tests only (there is no offline way to make a public-looking name resolve
 * to loopback); the server never sets it from configuration.
 */
export function createConnectGuard({
  rules,
  allowPrivateNetwork = false,
  overrides = {},
  lookup,
  serverPorts = [],
  localAddresses = [],
}) {
  const overrideMap = new Map(Object.entries(overrides))
  const resolveName = lookup ?? systemLookup
  const ownPorts = new Set()
  const ownAddresses = new Set()
  for (let i = 0; i < localAddresses.length; i++) {
    const address = canonicalIp(localAddresses[i])
    if (address !== undefined) ownAddresses.add(address)
  }

  /** qflow's own server: its port on loopback, "any", or an address of this machine. */
  function refuseServer(host, address, port) {
    if (!ownPorts.has(`${port}`)) return undefined
    if (!meansThisMachine(internalKind(address)) && !ownAddresses.has(canonicalIp(address))) return undefined
    const shown = host === address ? `${address}:${port}` : `"${host}" at ${address}:${port}`
    return networkDenied(
      `the plugin may not connect to ${shown}: that is qflow's own server, which plugins may never call, whatever hosts they were granted`
    )
  }

  function refuseInternal(host, address, port, kind, rule) {
    const server = refuseServer(host, address, port)
    if (server) return server
    if (kind === undefined || allowPrivateNetwork || rule.internalAllowed) return undefined
    const shown = host === address ? `"${host}"` : `"${host}" at ${address}`
    return networkDenied(
      `the plugin may not connect to ${shown}: ${address} is a ${kind} address; ${HOW_TO_ALLOW}`
    )
  }

  /** Resolve `host` and refuse the answer if any address in it is internal and not allowed. */
  function checkedLookup(host, port, rule) {
    return function lookupChecked(hostname, options, callback) {
      let done = callback
      let opts = options
      if (typeof options === 'function') {
        done = options
        opts = {}
      } else if (typeof options === 'number') opts = { family: options }
      const all = opts?.all === true
      const answer = (err, addresses) => {
        if (err) return done(err)
        if (!isArray(addresses) || addresses.length === 0) {
          return done(networkDenied(`the plugin may not connect to "${host}": it resolves to no address`))
        }
        for (let i = 0; i < addresses.length; i++) {
          const address = addresses[i].address
          const refusal = refuseInternal(host, address, port, internalKind(address), rule)
          if (refusal) return done(refusal)
        }
        if (all) return done(null, addresses)
        return done(null, addresses[0].address, addresses[0].family)
      }
      const pinned = overrideMap.get(normalHost(hostname))
      if (pinned !== undefined) {
        const list = []
        for (let i = 0; i < pinned.length; i++)
          list[list.length] = { address: pinned[i], family: isIP(pinned[i]) }
        later(() => answer(null, list))
        return
      }
      resolveName(hostname, { family: opts?.family ?? 0, hints: opts?.hints ?? 0, all: true }, answer)
    }
  }

  for (let i = 0; i < serverPorts.length; i++) ownPorts.add(`${serverPorts[i]}`)

  return {
    /** Refuse qflow's own server on `port` from now on (the host learns its port once it listens). */
    protectServerPort(port) {
      ownPorts.add(`${port}`)
    },
    /** An error when `host:port` may not be connected to; else the lookup to use (none for an IP). */
    admit(rawHost, port) {
      const host = normalHost(`${rawHost}`)
      const rule = matchingRule(rules, host, port)
      if (!rule) {
        return {
          error: networkDenied(
            `the plugin may not connect to "${host}:${port}": its manifest declares only these hosts: ${declaredList(rules)}`
          ),
        }
      }
      if (isIP(host) !== 0) {
        const error = refuseInternal(host, host, port, internalKind(host), rule)
        return error ? { error } : {}
      }
      return { lookup: checkedLookup(host, port, rule) }
    },
  }
}

/** `[options, listener]` from any `socket.connect(...)` call form. */
function connectCall(args) {
  const first = args[0]
  // net.connect hands over its already normalised arguments as one array.
  if (isArray(first)) return { options: first[0], listener: first[1] }
  const last = args[args.length - 1]
  const listener = typeof last === 'function' ? last : undefined
  if (first !== null && typeof first === 'object') return { options: first, listener }
  // connect(port[, host][, listener])
  return { options: { port: first, host: typeof args[1] === 'string' ? args[1] : undefined }, listener }
}

/**
 * Replace `net.Socket.prototype.connect` (TLS sockets inherit it) by one that asks the guard first,
 * and lock it: plugin code that reaches the Socket class later can neither restore nor replace it.
 */
export function installConnectGuard(guard) {
  const original = Socket.prototype.connect
  function guardedConnect(...args) {
    const call = connectCall(args)
    // A copy we own: options that are a Proxy, or a getter answering differently on the second
    // read, cannot show the check one host and the socket another.
    const options = { ...call.options }
    if (options.path !== undefined && options.path !== null) {
      this.destroy(networkDenied(`the plugin may not connect to the local socket ${options.path}`))
      return this
    }
    const host = options.host ?? 'localhost'
    const port = options.port
    if (typeof host !== 'string' || (typeof port !== 'number' && typeof port !== 'string')) {
      this.destroy(networkDenied('the plugin may connect only to a host name or address and a port'))
      return this
    }
    const verdict = guard.admit(host, port)
    if (verdict.error) {
      this.destroy(verdict.error)
      return this
    }
    // Always ours, whatever the caller passed: the address connected to is the one checked.
    // defineProperty, not assignment: a setter a plugin put on Object.prototype never runs here.
    defineProperty(options, 'host', { value: host, writable: true, enumerable: true, configurable: true })
    defineProperty(options, 'lookup', {
      value: verdict.lookup,
      writable: true,
      enumerable: true,
      configurable: true,
    })
    return apply(original, this, call.listener ? [options, call.listener] : [options])
  }
  defineProperty(Socket.prototype, 'connect', { value: guardedConnect, writable: false, configurable: false })
}
