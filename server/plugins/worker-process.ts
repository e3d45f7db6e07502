import { type ChildProcess, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import type { Socket } from 'node:net'
import { networkInterfaces } from 'node:os'
import { errorMessage, NodeExecutionError } from '../../core/errors.ts'
import type { PortItems } from '../../core/plugin/types.ts'
import { sandboxFor } from './sandbox.ts'
import { createFrameReader, encodeFrame } from './worker/frames.mjs'

/** What the worker reports about each node type it loaded. */
export interface LoadedNode {
  module: string
  manifest: unknown
  configSchema: unknown
}

/** The serialisable part of a NodeContext, sent with each call. */
export interface CallContext {
  runId: string
  flowId: string
  node: { id: string; type: string; label: string }
  config: unknown
  variables: Readonly<Record<string, unknown>>
  targets: { accounts: string[]; regions: string[] }
  runInput: unknown
}

/** The host's side of a call: where logs, partial marks and AWS requests from the worker go. */
export interface CallHandlers {
  log(level: string, message: string, data?: unknown): void
  partial(reason: string, details?: unknown): void
  aws(request: unknown): Promise<unknown>
}

export interface WorkerOptions {
  pluginName: string
  pluginDir: string
  modules: string[]
  /** Hosts the code may reach: the manifest's, then those the operator granted. */
  hosts: string[]
  /** Of `hosts`, the ones the operator granted: they may resolve to internal addresses. */
  trustedHosts?: string[]
  /** Let every host resolve to internal addresses (`QFLOW_PLUGIN_ALLOW_PRIVATE_NETWORK=1`). */
  allowPrivateNetwork?: boolean
  /** qflow's own listening ports: never reachable on this machine, whatever else is allowed. */
  serverPorts?: number[]
  /** Tests only: fixed DNS answers by host name, used by the worker instead of the system resolver. */
  resolveOverrides?: Record<string, string[]>
  coreSource: string
  memoryMb: number
  /** RSS ceiling in MB: catches memory V8's heap limit does not count (ArrayBuffers). */
  rssLimitMb: number
  /** The largest output of one call, as JSON, in MB (default 16). */
  outputMb?: number
}

type WorkerError = {
  name: string
  message: string
  /** Characters of the message the worker cut before sending. */
  cutChars?: number
  code?: string
  permission?: string
  resource?: string
}

type Message =
  | { t: 'booted' }
  | { t: 'loaded'; nodes: LoadedNode[] }
  | { t: 'load-failed'; error: WorkerError }
  | { t: 'started'; id: number }
  | { t: 'done'; id: number; output: PortItems }
  | { t: 'failed'; id: number; error: WorkerError }
  | { t: 'log'; id?: number; level: string; message: string; data?: unknown }
  | { t: 'partial'; id: number; reason: string; details?: unknown }
  | { t: 'aws'; id: number; callId: number; request: unknown }
  | { t: 'fatal'; error: WorkerError }

const STDERR_KEPT = 4096
const MB = 1024 * 1024
/** Room around an output in the largest message a worker may send; more stops the worker. */
const MESSAGE_OVERHEAD_BYTES = MB
/** The output limit when none is given (`QFLOW_PLUGIN_OUTPUT_MB`). */
export const DEFAULT_OUTPUT_MB = 16
const RSS_CHECK_MS = 25
/**
 * How much more memory a worker may claim than it may touch. Untouched allocations (a typed array
 * never written) cost no RSS, so a loop making them would only ever meet its time limit; the data
 * size of the process (writable private mappings) counts them. Reserved but inaccessible address
 * space, such as WebAssembly's guard regions, is not in it, so a plugin using wasm is not caught.
 */
const CLAIMED_PER_RSS = 4
/** CPU a worker may spend while no call is running (timers a plugin left behind), in ms. */
const IDLE_CPU_BUDGET_MS = 1000
/** Log lines one call may write to the run's log, and how long one line or its data may be. */
const MAX_LOG_LINES = 500
const MAX_LOG_CHARS = 4000
/** How long a worker has to say it took a call before it counts as stuck (see expectStart). */
const START_DEADLINE_MS = 1000
/** Linux clock ticks per second, the unit of utime and stime in /proc/<pid>/stat. */
const CLOCK_TICKS = 100

/** A call the worker never took (it was stuck in earlier work): safe to send to another worker. */
export class WorkerUnresponsive extends Error {
  constructor() {
    super('the worker did not take the call')
  }
}

/**
 * One sandboxed worker process running one plugin, one call at a time. When it dies, every waiter
 * learns why in words: the heap limit, the RSS ceiling, a time limit, or a crash with its last output.
 */
export class PluginWorker {
  readonly child: ChildProcess
  /** fd 3 of the worker: messages both ways, framed by worker/frames.mjs. */
  private readonly channel: Socket
  private stderr = ''
  private killReason: { code: string; message: string } | undefined
  private fatal: WorkerError | undefined
  private current:
    | {
        id: number
        handlers: CallHandlers
        resolve(o: PortItems): void
        reject(e: Error): void
        logLines: number
        /** The worker said it took the call. */
        started?: boolean
      }
    | undefined
  /** CPU time (ms) the process had used when its last call ended. */
  private cpuAtIdle: number | undefined
  private loadWaiter: { resolve(nodes: LoadedNode[]): void; reject(e: Error): void } | undefined
  private nextId = 0
  private rssTimer: NodeJS.Timeout | undefined
  private startTimer: NodeJS.Timeout | undefined
  readonly exited: Promise<void>
  alive = true

  constructor(private readonly options: WorkerOptions) {
    const sandbox = sandboxFor(options.pluginDir, { memoryMb: options.memoryMb })
    // Not fork(): Node's IPC channel decodes messages in the server's event loop and throws there
    // on bytes it cannot decode, which plugin code can write. Our own pipe is read defensively.
    this.child = spawn(process.execPath, [...sandbox.execArgv, sandbox.entry, ...sandbox.args], {
      // A clean environment: the server's variables (credentials among them) stay in the server.
      env: {},
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    })
    this.child.stderr!.setEncoding('utf8')
    this.child.stderr!.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_KEPT)
    })
    this.channel = this.child.stdio[3] as Socket
    // A write to a worker that just died fails with EPIPE: the exit handler says why it died.
    this.channel.on('error', () => {})
    const read = createFrameReader({
      maxBytes: this.outputLimitBytes + MESSAGE_OVERHEAD_BYTES,
      onMessage: (message) => this.onMessage(message as Message),
      onError: (error) => this.protocolError(error.message),
    })
    this.channel.on('data', (chunk: Buffer) => read(chunk))
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': by then the pipes are read to the end, so a last `fatal` message or
      // line of stderr is there to say why the worker died.
      this.child.on('close', (code, signal) => {
        this.alive = false
        clearInterval(this.rssTimer)
        clearTimeout(this.startTimer)
        const error = this.deathError(code, signal)
        this.loadWaiter?.reject(error)
        this.loadWaiter = undefined
        this.current?.reject(error)
        this.current = undefined
        resolve()
      })
    })
    this.child.on('error', () => {})
    this.watchResources()
  }

  private get outputLimitBytes(): number {
    return (this.options.outputMb ?? DEFAULT_OUTPUT_MB) * MB
  }

  /** Why the host stopped this worker, if it did. */
  get stoppedFor(): { code: string; message: string } | undefined {
    return this.killReason
  }

  /** Alive and not being stopped: may take a call. */
  get usable(): boolean {
    return this.alive && !this.killReason
  }

  get busy(): boolean {
    return this.current !== undefined
  }

  /** Load the plugin's modules; resolves with what they declare. */
  load(): Promise<LoadedNode[]> {
    return new Promise((resolve, reject) => {
      this.loadWaiter = { resolve, reject }
      this.reply({
        t: 'load',
        modules: this.options.modules,
        hosts: this.options.hosts,
        network: {
          trustedHosts: this.options.trustedHosts ?? [],
          allowPrivateNetwork: this.options.allowPrivateNetwork ?? false,
          resolveOverrides: this.options.resolveOverrides ?? {},
          serverPorts: this.options.serverPorts ?? [],
          localAddresses: localAddresses(),
        },
        coreSource: this.options.coreSource,
        outputLimit: this.outputLimitBytes,
      })
    })
  }

  /** Run one node execution. The pool never sends a second call before the first settles. */
  call(type: string, call: CallContext, input: PortItems, handlers: CallHandlers): Promise<PortItems> {
    const id = ++this.nextId
    return new Promise((resolve, reject) => {
      if (!this.alive) {
        reject(this.deathError(this.child.exitCode, this.child.signalCode))
        return
      }
      try {
        this.reply({ t: 'exec', id, type, call, input })
      } catch (err) {
        reject(
          new NodeExecutionError(
            `the node's input could not be sent to plugin "${this.options.pluginName}": ${errorMessage(err)}`
          )
        )
        return
      }
      this.current = { id, handlers, resolve, reject, logLines: 0 }
      this.cpuAtIdle = undefined
      this.expectStart(id)
    })
  }

  /**
   * A healthy worker says `started` as soon as it reads a call, before any plugin code runs. One that
   * stays silent is stuck in work an earlier call left behind (a busy loop in a timer): the call is
   * given back unstarted (WorkerUnresponsive, the pool retries it on another worker) and the worker
   * stopped, so an unrelated run does not meet someone else's loop and its time limit.
   */
  private expectStart(id: number) {
    const timer = setTimeout(() => {
      // Read whatever already arrived first: `started` may be waiting in the pipe.
      setImmediate(() => {
        const current = this.current
        if (!current || current.id !== id || current.started) return
        this.current = undefined
        current.reject(new WorkerUnresponsive())
        void this.kill(
          'PLUGIN_BACKGROUND_WORK',
          `plugin "${this.options.pluginName}" was still busy with work left from an earlier call and did not take a new one within ${START_DEADLINE_MS} ms; its worker was stopped`
        )
      })
    }, START_DEADLINE_MS)
    timer.unref()
    this.startTimer = timer
  }

  /** Refuse connections to qflow's own server on `port` from now on. */
  protectServerPort(port: number) {
    this.reply({ t: 'server-port', port })
  }

  /** Ask the plugin to abort the running call (its ctx.signal fires). */
  abort() {
    this.reply({ t: 'abort' })
  }

  /** Stop the worker for a stated reason; the pending call fails with that reason. */
  kill(code: string, message: string): Promise<void> {
    if (this.alive && !this.killReason) {
      this.killReason = { code, message }
      this.child.kill('SIGKILL')
    }
    return this.exited
  }

  /** A message the host cannot read, or one that breaks the protocol: only this worker pays. */
  private protocolError(what: string) {
    void this.kill(
      'PLUGIN_PROTOCOL_ERROR',
      `plugin "${this.options.pluginName}" sent the host a message it could not read (${what}); its worker was stopped`
    )
  }

  private onMessage(message: Message) {
    try {
      this.handle(message)
    } catch (err) {
      this.protocolError(`a "${String(message.t).slice(0, 40)}" message: ${errorMessage(err)}`)
    }
  }

  private handle(message: Message) {
    switch (message.t) {
      case 'fatal':
        this.fatal = workerError(message.error)
        return
      case 'loaded':
        this.cpuAtIdle = -1 // from now on, CPU outside calls counts against the idle budget
        this.loadWaiter?.resolve(message.nodes)
        this.loadWaiter = undefined
        return
      case 'load-failed':
        this.loadWaiter?.reject(pluginError(this.options.pluginName, workerError(message.error)))
        this.loadWaiter = undefined
        return
      case 'started':
        if (this.current && this.current.id === message.id) {
          this.current.started = true
          clearTimeout(this.startTimer)
        }
        return
      case 'done':
      case 'failed': {
        const current = this.current
        if (!current || current.id !== message.id) return
        clearTimeout(this.startTimer)
        this.current = undefined
        this.cpuAtIdle = -1 // measured at the next resource check
        if (message.t === 'done') current.resolve(message.output)
        else current.reject(pluginError(this.options.pluginName, workerError(message.error)))
        return
      }
      case 'log': {
        const current = this.current
        if (!current || message.id !== current.id) return
        // A plugin logging in a loop must not fill the run's log (and the database) without end.
        current.logLines++
        if (current.logLines > MAX_LOG_LINES) {
          if (current.logLines === MAX_LOG_LINES + 1) {
            current.handlers.log(
              'warn',
              `plugin "${this.options.pluginName}" wrote more than ${MAX_LOG_LINES} log lines in one call; the rest were dropped`
            )
          }
          return
        }
        current.handlers.log(
          logLevel(message.level),
          oneLine(clip(String(message.message))),
          clipData(message.data)
        )
        return
      }
      case 'partial':
        if (this.current && message.id === this.current.id) {
          this.current.handlers.partial(oneLine(clip(String(message.reason))), clipData(message.details))
        }
        return
      case 'aws': {
        const current = this.current
        if (!current || message.id !== current.id) return
        current.handlers.aws(message.request).then(
          (value) => this.reply({ t: 'aws-result', callId: message.callId, ok: true, value }),
          (err: unknown) =>
            this.reply({
              t: 'aws-result',
              callId: message.callId,
              ok: false,
              error: {
                message: err instanceof Error ? err.message : String(err),
                code: (err as { code?: string }).code,
              },
            })
        )
        return
      }
    }
  }

  private reply(message: unknown) {
    if (this.alive && this.channel.writable) this.channel.write(encodeFrame(message))
  }

  /**
   * For the worker's whole life, not only during calls (a plugin's timers run between calls too):
   * V8's heap limit does not count ArrayBuffers, the RSS of the process does; and a worker with no
   * call may spend only a little CPU, so a busy loop left in a timer cannot burn a core unseen.
   * Linux only (/proc).
   */
  private watchResources() {
    const pid = this.child.pid
    if (pid === undefined) return
    this.rssTimer = setInterval(async () => {
      const [statm, stat] = await Promise.all([
        readFile(`/proc/${pid}/statm`, 'utf8').catch(() => undefined),
        readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined),
      ])
      if (!statm || !stat || !this.alive) return
      // statm counts pages: size resident shared text lib data dirty.
      const pages = statm.split(' ').map(Number)
      const rssMb = ((pages[1] ?? 0) * 4096) / 1048576
      const claimedMb = ((pages[5] ?? 0) * 4096) / 1048576
      const { rssLimitMb, pluginName } = this.options
      if (rssMb > rssLimitMb || claimedMb > rssLimitMb * CLAIMED_PER_RSS) {
        const [what, limit] =
          rssMb > rssLimitMb ? ['used', rssLimitMb] : ['claimed', rssLimitMb * CLAIMED_PER_RSS]
        void this.kill(
          'PLUGIN_OUT_OF_MEMORY',
          `plugin "${pluginName}" ${what} more than ${limit} MB of memory and was stopped`
        )
        return
      }
      if (this.cpuAtIdle === undefined) return
      // Fields after the ")" that closes the command name: utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS
      if (this.cpuAtIdle < 0) this.cpuAtIdle = cpuMs
      else if (cpuMs - this.cpuAtIdle > IDLE_CPU_BUDGET_MS) {
        void this.kill(
          'PLUGIN_BACKGROUND_WORK',
          `plugin "${this.options.pluginName}" kept working after its call had finished (more than ${IDLE_CPU_BUDGET_MS} ms of CPU); its worker was stopped`
        )
      }
    }, RSS_CHECK_MS)
    this.rssTimer.unref()
  }

  private deathError(code: number | null, signal: NodeJS.Signals | null): NodeExecutionError {
    const name = this.options.pluginName
    if (this.killReason)
      return new NodeExecutionError(this.killReason.message, false, undefined, this.killReason.code)
    if (/heap out of memory|Reached heap limit/i.test(this.stderr)) {
      return new NodeExecutionError(
        `plugin "${name}" ran out of memory (heap limit ${this.options.memoryMb} MB) and was stopped`,
        false,
        undefined,
        'PLUGIN_OUT_OF_MEMORY'
      )
    }
    const how = signal ? `signal ${signal}` : `exit code ${code}`
    const why = this.fatal
      ? `${this.fatal.name}: ${this.fatal.message}`
      : this.stderr.trim().split('\n').filter(Boolean).at(-1)
    return new NodeExecutionError(
      clip(`plugin "${name}" crashed (${how})${why ? `: ${why}` : ''}`, MAX_LOG_CHARS, this.fatal?.cutChars),
      true,
      undefined,
      'PLUGIN_CRASHED'
    )
  }
}

/** This machine's addresses: qflow's own port is refused on each of them, not only on loopback. */
function localAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((entry) => entry.address))
}

/**
 * Text from a plugin, cut to `max` characters, saying how much was cut: `alreadyCut` counts what the
 * worker cut before sending (it bounds error messages so one fits in a message).
 */
function clip(text: string, max = MAX_LOG_CHARS, alreadyCut = 0): string {
  if (text.length <= max && alreadyCut === 0) return text
  const kept = text.slice(0, max)
  return `${kept}… (${text.length - kept.length + alreadyCut} more characters)`
}

const LOG_LEVELS = new Set(['debug', 'info', 'warn', 'error'])

/** A level the run log knows; anything else a plugin says is `info`. */
function logLevel(level: unknown): string {
  return typeof level === 'string' && LOG_LEVELS.has(level) ? level : 'info'
}

/**
 * One log line stays one line: newlines and other control characters are written as escapes, so a
 * plugin cannot forge further lines (with their own time and level) in the server's log.
 */
function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f\u2028\u2029]/g, (char) => {
    if (char === '\n') return '\\n'
    if (char === '\r') return '\\r'
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`
  })
}

/** Short fields of a worker's error (code, name, what was denied): a plugin may fill them with megabytes. */
const MAX_ERROR_FIELD_CHARS = 200

/** An error as the worker described it, every field a string of bounded length. */
function workerError(raw: unknown): WorkerError {
  const error = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>
  const field = (value: unknown) =>
    typeof value === 'string' ? clip(value, MAX_ERROR_FIELD_CHARS) : undefined
  return {
    name: field(error.name) ?? 'Error',
    message: typeof error.message === 'string' ? error.message : 'the plugin failed without a message',
    cutChars:
      typeof error.cutChars === 'number' && Number.isSafeInteger(error.cutChars) && error.cutChars > 0
        ? error.cutChars
        : 0,
    ...(field(error.code) === undefined ? {} : { code: field(error.code)! }),
    ...(field(error.permission) === undefined ? {} : { permission: field(error.permission)! }),
    ...(field(error.resource) === undefined ? {} : { resource: field(error.resource)! }),
  }
}

/** Log data the worker sent, unless it is too big to keep in a run's log. */
function clipData(data: unknown): unknown {
  if (data === undefined) return undefined
  const size = JSON.stringify(data)?.length ?? 0
  return size > MAX_LOG_CHARS ? `(log data of ${size} characters dropped)` : data
}

/** An error raised inside the worker, as the node's error: sandbox denials say what was denied. */
function pluginError(pluginName: string, error: WorkerError): NodeExecutionError {
  if (error.code === 'ERR_ACCESS_DENIED') {
    const what = [error.permission, error.resource].filter(Boolean).join(' ')
    return new NodeExecutionError(
      clip(
        `plugin "${pluginName}" was denied by its sandbox: ${error.message}${what ? ` (${what})` : ''}`,
        MAX_LOG_CHARS,
        error.cutChars
      ),
      false,
      { permission: error.permission, resource: error.resource },
      'PLUGIN_DENIED'
    )
  }
  if (
    error.code &&
    ['ERR_QFLOW_IMPORT_DENIED', 'QFLOW_NETWORK_DENIED', 'PLUGIN_DENIED'].includes(error.code)
  ) {
    return new NodeExecutionError(
      clip(`plugin "${pluginName}": ${error.message}`, MAX_LOG_CHARS, error.cutChars),
      false,
      undefined,
      'PLUGIN_DENIED'
    )
  }
  if (error.code === 'PLUGIN_OUTPUT_INVALID' || error.code === 'PLUGIN_OUTPUT_TOO_LARGE') {
    return new NodeExecutionError(
      clip(`plugin "${pluginName}": ${error.message}`, MAX_LOG_CHARS, error.cutChars),
      false,
      undefined,
      error.code
    )
  }
  if (error.code === 'CONFIG_INVALID') {
    return new NodeExecutionError(
      clip(error.message, MAX_LOG_CHARS, error.cutChars),
      false,
      undefined,
      'CONFIG_INVALID'
    )
  }
  return new NodeExecutionError(
    clip(`plugin "${pluginName}": ${error.message}`, MAX_LOG_CHARS, error.cutChars),
    false,
    undefined,
    'PLUGIN_FAILED'
  )
}
