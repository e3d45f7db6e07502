import { NodeExecutionError } from '../../core/errors.ts'
import type { PortItems } from '../../core/plugin/types.ts'
import {
  type CallContext,
  type CallHandlers,
  type LoadedNode,
  PluginWorker,
  type WorkerOptions,
  WorkerUnresponsive,
} from './worker-process.ts'

export interface PoolOptions extends WorkerOptions {
  /** Most worker processes this plugin may have at once; calls beyond that wait their turn. */
  maxWorkers: number
  /** Hard limit for one call, whatever the node's own time limit says. */
  callTimeoutMs: number
}

/** Workers a call is offered to when each turns out stuck in earlier work (see WorkerUnresponsive). */
const MAX_ATTEMPTS = 3
/** After a cancel, how long a worker may take to settle the call itself before it is killed. */
const CANCEL_GRACE_MS = 200

/**
 * The worker processes of one plugin. Each worker runs one call at a time, so a call that hangs or
 * blows up takes only its own worker down; the pool replaces it and keeps one worker warm.
 */
export class PluginPool {
  private readonly workers: PluginWorker[] = []
  private readonly waiting: Array<{ take(worker: PluginWorker): void; fail(error: Error): void }> = []
  private closed = false
  private spawning = 0

  constructor(private readonly options: PoolOptions) {}

  /** Start the first worker and load the plugin in it: what the plugin declares, or why it cannot load. */
  async start(): Promise<LoadedNode[]> {
    const worker = new PluginWorker(this.options)
    try {
      const nodes = await worker.load()
      this.workers.push(worker)
      void worker.exited.then(() => this.forget(worker))
      return nodes
    } catch (err) {
      await worker.kill('PLUGIN_LOAD_FAILED', 'load failed')
      throw err
    }
  }

  get size(): number {
    return this.workers.length
  }

  async call(
    type: string,
    call: CallContext,
    input: PortItems,
    handlers: CallHandlers,
    signal?: AbortSignal
  ): Promise<PortItems> {
    if (this.closed) throw new NodeExecutionError(`plugin "${this.options.pluginName}" was unloaded`)
    // A worker stuck in work an earlier call left behind gives the call back untouched: try another.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.callOnce(type, call, input, handlers, signal)
      } catch (err) {
        if (!(err instanceof WorkerUnresponsive) || attempt >= MAX_ATTEMPTS || signal?.aborted) {
          throw err instanceof WorkerUnresponsive
            ? new NodeExecutionError(
                `plugin "${this.options.pluginName}": ${MAX_ATTEMPTS} workers in a row were too busy to take the call`
              )
            : err
        }
      }
    }
  }

  private async callOnce(...args: Parameters<PluginPool['call']>): Promise<PortItems> {
    const [type, call, input, handlers, signal] = args
    const worker = await this.acquire(signal)
    const name = this.options.pluginName
    const timer = setTimeout(() => {
      void worker.kill(
        'PLUGIN_TIMEOUT',
        `plugin "${name}" did not finish within ${this.options.callTimeoutMs} ms; its worker was stopped`
      )
    }, this.options.callTimeoutMs)
    let graceTimer: NodeJS.Timeout | undefined
    const onAbort = () => {
      worker.abort()
      graceTimer = setTimeout(() => {
        void worker.kill('PLUGIN_CANCELLED', `plugin "${name}" was stopped: ${reasonOf(signal)}`)
      }, CANCEL_GRACE_MS)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      return await worker.call(type, call, input, handlers)
    } finally {
      clearTimeout(timer)
      clearTimeout(graceTimer)
      signal?.removeEventListener('abort', onAbort)
      this.release(worker)
    }
  }

  /** Refuse qflow's own server on `port` in every worker, present and future. */
  protectServerPort(port: number) {
    const ports = this.options.serverPorts ?? []
    if (ports.includes(port)) return
    this.options.serverPorts = [...ports, port]
    for (const worker of this.workers) if (worker.alive) worker.protectServerPort(port)
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.all(
      this.workers.map((worker) =>
        worker.kill('PLUGIN_UNLOADED', `plugin "${this.options.pluginName}" was unloaded`)
      )
    )
  }

  private acquire(signal?: AbortSignal): Promise<PluginWorker> {
    const idle = this.workers.find((worker) => worker.usable && !worker.busy && !this.reserved.has(worker))
    if (idle) {
      this.reserved.add(idle)
      return Promise.resolve(idle)
    }
    if (this.workers.length + this.spawning < this.options.maxWorkers) void this.spawn()
    return new Promise((resolve, reject) => {
      const waiter = {
        take(worker: PluginWorker) {
          signal?.removeEventListener('abort', onAbort)
          resolve(worker)
        },
        fail(error: Error) {
          signal?.removeEventListener('abort', onAbort)
          reject(error)
        },
      }
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1)
        reject(
          new NodeExecutionError(
            `cancelled while waiting for a worker of plugin "${this.options.pluginName}"`
          )
        )
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiting.push(waiter)
    })
  }

  /** Workers handed to a caller but not yet busy with its call. */
  private readonly reserved = new Set<PluginWorker>()

  private release(worker: PluginWorker) {
    this.reserved.delete(worker)
    if (!worker.usable) {
      // Being stopped: it leaves the pool when it exits (forget), and a fresh one replaces it.
      if (!worker.alive) this.forget(worker)
      return
    }
    const next = this.waiting.shift()
    if (next) {
      this.reserved.add(worker)
      next.take(worker)
    }
  }

  private forget(worker: PluginWorker) {
    const index = this.workers.indexOf(worker)
    if (index >= 0) this.workers.splice(index, 1)
    this.reserved.delete(worker)
    // Keep one worker warm, and never leave callers waiting with no worker coming.
    if (!this.closed && (this.workers.length === 0 || this.waiting.length > 0)) void this.spawn()
  }

  private async spawn() {
    if (this.closed || this.workers.length + this.spawning >= this.options.maxWorkers) return
    this.spawning++
    const worker = new PluginWorker(this.options)
    try {
      await worker.load()
      this.spawning--
      // The server may have started listening while this worker loaded.
      for (const port of this.options.serverPorts ?? []) worker.protectServerPort(port)
      if (this.closed) {
        await worker.kill('PLUGIN_UNLOADED', 'unloaded')
        return
      }
      this.workers.push(worker)
      void worker.exited.then(() => this.forget(worker))
      this.release(worker)
    } catch (err) {
      this.spawning--
      // A plugin that loaded once but now fails to boot: fail the waiters instead of retrying forever.
      const reason = err instanceof Error ? err.message : String(err)
      const error = new NodeExecutionError(
        `plugin "${this.options.pluginName}" could not start a worker: ${reason}`
      )
      for (const waiter of this.waiting.splice(0)) waiter.fail(error)
    }
  }
}

function reasonOf(signal: AbortSignal | undefined): string {
  const reason = signal?.reason
  return reason instanceof Error ? reason.message : 'the call was cancelled'
}
