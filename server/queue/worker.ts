import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Logger } from '../log.ts'
import type { ClaimedRun, Claims } from './claims.ts'

export interface WorkerSettings {
  /** Runs this process executes at once. */
  concurrency: number
  /** How long a claim holds without a heartbeat; a dead process's runs wait this long. */
  leaseMs: number
  /** Claims of one run (first try included) before it is failed instead of retried. */
  maxAttempts: number
  /** How often an idle worker looks for runs queued by other processes. */
  pollMs: number
}

export interface WorkerDeps {
  claims: Claims
  settings: WorkerSettings
  /** Execute a claimed run; resolves when its final state is stored. */
  execute(run: ClaimedRun): Promise<void>
  /** Stop a run this worker no longer holds (its lease was taken over). */
  abort(runId: string, reason: string): void
  log: Logger
  now?: () => number
}

/**
 * Claims queued runs and executes them, at most `concurrency` at a time, renewing their leases while
 * they run. Every process may run one; they coordinate only through the database.
 */
export function createQueueWorker(deps: WorkerDeps) {
  const { claims, settings, log } = deps
  const now = deps.now ?? Date.now
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  const active = new Set<string>()
  const timers: NodeJS.Timeout[] = []
  let pumping: Promise<void> | undefined
  let again = false
  let stopped = false
  /** Shutting down: claim nothing more, but keep renewing the leases of runs still going. */
  let draining = false
  let started = false
  let finished = 0

  /** Claim while there is room, then stop; called on every wake-up and after every finished run. */
  function pump(): Promise<void> {
    if (stopped || draining) return Promise.resolve()
    if (pumping) {
      again = true
      return pumping
    }
    pumping = (async () => {
      do {
        again = false
        while (!stopped && !draining && active.size < settings.concurrency) {
          const room = settings.concurrency - active.size
          let claimed: ClaimedRun[]
          try {
            claimed = await claims.claim(owner, room, now(), settings.leaseMs)
          } catch (err) {
            log('warn', 'claiming queued runs failed; will retry', err)
            break
          }
          for (const run of claimed) start(run)
          if (claimed.length < room) break
        }
      } while (again && !stopped && !draining)
    })().finally(() => {
      pumping = undefined
    })
    return pumping
  }

  function start(run: ClaimedRun): Promise<void> {
    active.add(run.id)
    return deps
      .execute(run)
      .catch((err) => log('error', `run ${run.id} failed to execute`, err))
      .finally(() => {
        active.delete(run.id)
        finished++
        void pump()
      })
  }

  async function heartbeat() {
    const ids = [...active]
    if (ids.length === 0) return
    try {
      const held = await claims.renew(owner, ids, now(), settings.leaseMs)
      for (const id of ids) {
        if (!held.has(id) && active.has(id)) {
          deps.abort(id, 'the run was taken over after this process missed its lease')
        }
      }
    } catch (err) {
      log('warn', 'renewing run leases failed; will retry', err)
    }
  }

  async function reclaim() {
    try {
      const { requeued, failed } = await claims.reclaimExpired(now(), settings.maxAttempts)
      if (requeued + failed > 0) {
        log('warn', `runs of a stopped worker: ${requeued} queued again, ${failed} failed`)
        if (requeued > 0) void pump()
      }
    } catch (err) {
      log('warn', 'reclaiming expired runs failed; will retry', err)
    }
  }

  function every(ms: number, task: () => unknown) {
    const timer = setInterval(task, ms)
    timer.unref()
    timers.push(timer)
  }

  return {
    owner,
    /**
     * Start the background duties: polling for runs queued by other processes, heartbeats and
     * reclaiming expired leases (at once too: this may be a restart after a crash). Without it the
     * worker still executes what `poke` finds, which is enough for tests and one-off commands.
     */
    async start() {
      if (started || stopped) return
      started = true
      every(Math.max(50, Math.floor(settings.leaseMs / 3)), heartbeat)
      every(Math.max(100, Math.floor(settings.leaseMs / 2)), reclaim)
      every(settings.pollMs, pump)
      await reclaim()
      await pump()
    },
    /** A run was queued here: claim it now rather than at the next poll. */
    poke: () => void pump(),
    /**
     * Claim and execute one particular queued run here, now (the CLI's own run); if another
     * process got it first, resolves when that run is finished there.
     */
    async runNow(runId: string, waitElsewhere: (runId: string) => Promise<void>): Promise<void> {
      const run = await claims.claimById(owner, runId, now(), settings.leaseMs)
      if (run) return start(run)
      return waitElsewhere(runId)
    },
    /**
     * Claim no more runs (shutdown has begun); heartbeats go on, so the runs still going keep
     * their leases through the grace period.
     */
    async drain() {
      draining = true
      await pumping
    },
    /** Stop claiming and heartbeats. Runs in progress are left to the run service's own shutdown. */
    async stop() {
      stopped = true
      for (const timer of timers.splice(0)) clearInterval(timer)
      await pumping
    },
    get activeCount() {
      return active.size
    },
    /** Runs this worker has finished since it started, for rate estimates. */
    get finishedCount() {
      return finished
    },
  }
}

export type QueueWorker = ReturnType<typeof createQueueWorker>
