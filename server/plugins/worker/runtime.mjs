/**
 * Entry point of a community plugin worker process. The host forks it with Node's permission model
 * (reads limited to the plugin folder and this runtime, no writes, no child processes), a clean
 * environment and a heap limit. It loads one plugin's node-type modules and runs one call at a time
 * on the host's behalf. Plain JavaScript on purpose: the sandbox cannot run a TypeScript loader.
 */
import { register } from 'node:module'
import { Socket } from 'node:net'
import { createConnectGuard, installConnectGuard, parseRules } from './connect-guard.mjs'
import { createConsole } from './console.mjs'
import { createContext } from './context.mjs'
import { describeError } from './describe-error.mjs'
import { createFrameReader, encodeFrame, encodeJsonFrame } from './frames.mjs'
import { guardedFetch } from './network.mjs'
import { outputJson } from './output.mjs'

const boot = JSON.parse(process.argv[2])
register('./hooks.mjs', { parentURL: import.meta.url, data: boot.scope })

// Keep what the runtime needs, then take `process` away from plugin code: it would offer
// `process.kill(process.ppid)`, `process.env` and `process.exit` to anyone who asked.
const proc = process
Object.defineProperty(globalThis, 'process', { value: undefined, writable: false, configurable: false })

// The channel to the host: a pipe on fd 3, framed by frames.mjs (see there why not Node's IPC).
// Without the host there is nothing left to do: the worker ends with its channel.
const channel = new Socket({ fd: 3, readable: true, writable: true })
channel.on('error', () => proc.exit(1))
channel.on('end', () => proc.exit(0))
/** Throws when `message` is not JSON; callers that send plugin data check it first. */
const send = (message) => {
  channel.write(encodeFrame(message))
}

// Node's console leads to raw file descriptors (`console._stdout.constructor`): plugin code gets
// one that writes to the running call's log instead.
let runningCall
Object.defineProperty(globalThis, 'console', {
  value: createConsole((level, message) => {
    if (runningCall !== undefined) send({ t: 'log', id: runningCall, level, message })
  }),
  writable: false,
  configurable: false,
})

const { z } = await import(boot.scope.provided.zod)
const nodes = new Map()
const pending = new Map()
const controllers = new Map()
let resolveExpressions = () => {
  throw new Error('ctx.resolve is not available before the plugin loaded')
}
let nextAwsCall = 0
/** The largest output one call may return, as JSON (QFLOW_PLUGIN_OUTPUT_MB). */
let outputLimitBytes = 0
/** The network rule, once loaded; the host tells it qflow's own port when the server listens. */
let guard

proc.on('unhandledRejection', (reason) => {
  // In the log of the call running now, if any (the host keeps only lines of the current call).
  send({
    t: 'log',
    id: runningCall,
    level: 'warn',
    message: `unhandled rejection in plugin code: ${describeError(reason).message}`,
  })
})

// An error thrown outside any call (a timer, an event handler) leaves the worker in an unknown
// state: report it so the host can say what happened, then exit and let the pool replace us.
proc.on('uncaughtException', (err) => {
  channel.write(encodeFrame({ t: 'fatal', error: describeError(err) }), () => proc.exit(1))
})

channel.on(
  'data',
  createFrameReader({
    // The host is trusted; the limit only catches a channel that went wrong.
    maxBytes: 1024 * 1024 * 1024,
    onMessage(message) {
      if (message.t === 'load') void load(message)
      else if (message.t === 'exec') void execute(message)
      else if (message.t === 'abort')
        for (const c of controllers.values()) c.abort(new Error('the call was cancelled'))
      else if (message.t === 'aws-result') settleAws(message)
      else if (message.t === 'server-port') guard?.protectServerPort(message.port)
    },
    onError: () => proc.exit(1),
  })
)
send({ t: 'booted' })

async function load({ modules, hosts, network, coreSource, outputLimit }) {
  try {
    outputLimitBytes = outputLimit
    // Before any plugin module runs: the rules are parsed and the socket guard locked in place.
    const rules = parseRules(hosts, network.trustedHosts)
    guard = createConnectGuard({
      rules,
      allowPrivateNetwork: network.allowPrivateNetwork,
      overrides: network.resolveOverrides,
      serverPorts: network.serverPorts,
      localAddresses: network.localAddresses,
    })
    installConnectGuard(guard)
    globalThis.fetch = guardedFetch(globalThis.fetch, rules)
    const core = await import(`data:text/javascript;base64,${coreSource}`)
    resolveExpressions = core.resolveExpressions
    const described = []
    for (const modulePath of modules) {
      const url = new URL(modulePath, boot.pluginUrl)
      const exported = (await import(url.href)).default
      const problem = shapeProblem(exported)
      if (problem) throw new Error(`${modulePath}: ${problem}`)
      const zodConfig = isZod(exported.config)
      nodes.set(exported.manifest.type, { plugin: exported, zodConfig })
      described.push({
        module: modulePath,
        manifest: exported.manifest,
        configSchema: configJsonSchema(exported.config, zodConfig),
      })
    }
    send({ t: 'loaded', nodes: described })
  } catch (err) {
    send({ t: 'load-failed', error: describeError(err) })
  }
}

function shapeProblem(exported) {
  if (!exported || typeof exported !== 'object') return 'the default export is not a node type object'
  if (!exported.manifest || typeof exported.manifest.type !== 'string') return 'manifest.type is missing'
  if (typeof exported.execute !== 'function') return 'execute(ctx, input) is missing'
  if (exported.config !== undefined && typeof exported.config !== 'object') {
    return 'config is neither a zod schema nor a JSON Schema object'
  }
  return undefined
}

function isZod(schema) {
  return Boolean(schema && typeof schema === 'object' && '_zod' in schema)
}

/** The host edits and validates config from JSON Schema; a zod schema is converted here, once. */
function configJsonSchema(schema, zodConfig) {
  if (schema === undefined) return { type: 'object', properties: {} }
  if (zodConfig) return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })
  return schema
}

async function execute({ id, type, call, input }) {
  // First, before any plugin code: the host takes silence as a worker stuck in earlier work.
  send({ t: 'started', id })
  const controller = new AbortController()
  controllers.set(id, controller)
  runningCall = id
  try {
    const entry = nodes.get(type)
    if (!entry) throw new Error(`this plugin has no node type "${type}"`)
    // The host already validated against the JSON Schema; the plugin's own zod schema still runs,
    // so its transforms, refinements and defaults apply exactly as the author wrote them.
    let config = call.config
    if (entry.zodConfig) {
      const parsed = entry.plugin.config.safeParse(config)
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`)
        throw Object.assign(new Error(issues.join('; ')), { code: 'CONFIG_INVALID' })
      }
      config = parsed.data
    }
    const ctx = createContext({
      id,
      call: { ...call, config },
      send,
      resolveExpressions,
      signal: controller.signal,
      requestAws: (request) => requestAws(id, request),
    })
    const output = await entry.plugin.execute(ctx, input)
    const json = outputJson(output ?? {}, outputLimitBytes)
    channel.write(encodeJsonFrame(`{"t":"done","id":${id},"output":${json}}`))
  } catch (err) {
    send({ t: 'failed', id, error: describeError(err) })
  } finally {
    controllers.delete(id)
    runningCall = undefined
  }
}

function requestAws(id, request) {
  const callId = ++nextAwsCall
  return new Promise((resolve, reject) => {
    pending.set(callId, { resolve, reject })
    send({ t: 'aws', id, callId, request })
  })
}

function settleAws({ callId, ok, value, error }) {
  const waiter = pending.get(callId)
  pending.delete(callId)
  if (!waiter) return
  if (ok) waiter.resolve(value)
  else waiter.reject(Object.assign(new Error(error.message), { code: error.code }))
}
