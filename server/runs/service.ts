import type { Engine } from '../../core/engine/engine.ts'
import { errorMessage, FlowError } from '../../core/errors.ts'
import { problemsBlockingRun } from '../../core/flow/run-scope.ts'
import { type FlowProblem, validateFlow } from '../../core/flow/validate.ts'
import { overrideValues } from '../../core/flow/variables.ts'
import type { PluginRegistry } from '../../core/plugin/registry.ts'
import type { RunStatus } from '../../core/run/events.ts'
import type { OverlapPolicy } from '../../plugins/trigger/config.ts'
import type { WriteBatcher } from '../db/write-batcher.ts'
import { AppError, notFound } from '../errors.ts'
import type { Logger } from '../log.ts'
import type { Admission, RunAdmission } from '../queue/admission.ts'
import { QueueFullError } from '../queue/admission.ts'
import type { FlowRepo, StoredFlow } from '../repos/flows.ts'
import type { RunRepo, RunRow } from '../repos/runs.ts'
import { overlapOf } from './overlap.ts'
import type { RunRecorder } from './recorder.ts'
import { newRunId } from './run-id.ts'

export interface RunOptions {
  input?: unknown
  variables?: Record<string, unknown>
  accounts?: string[]
  regions?: string[]
  until?: string
}

/** A run as stored, with the flow version it runs: everything needed to execute it anywhere. */
export interface StoredRun {
  run: RunRow
  flow: StoredFlow
}

export interface AdmissionOptions {
  /** `Idempotency-Key`, or a trigger's dedupe key: the same key on the same flow is one run. */
  idempotencyKey?: string
  /**
   * Hash of the normalised request the key came with (`requestHashOf`): the same key with another
   * request is refused rather than answered with a run of something else. Without it (a trigger's
   * dedupe key), the key alone decides.
   */
  requestHash?: string
  /** Triggers other than manual start runs only while the flow is deployed. */
  requireDeployed?: boolean
}

export type SubmittedRun = StoredRun & { outcome: 'created' | 'existing' | 'skipped' }

/**
 * Hands a stored run to whatever executes it. In-process by default; the durable queue replaces
 * this with "leave it queued for a worker to claim", without touching how runs are accepted.
 */
export type RunDispatcher = (stored: StoredRun) => void

const INTERRUPTED = {
  code: 'INTERRUPTED',
  message: 'the qflow process stopped before this run finished',
}

export function createRunService(deps: {
  flows: FlowRepo
  runs: RunRepo
  batcher: WriteBatcher
  recorder: RunRecorder
  admission: RunAdmission
  engine: Engine
  registry: PluginRegistry
  log: Logger
  now?: () => number
  newId?: () => string
}) {
  const now = deps.now ?? Date.now
  const newId = deps.newId ?? newRunId
  /** Runs this process executes right now, for cancellation and shutdown. */
  const active = new Map<
    string,
    { flowId: string; controller: AbortController; stored: Promise<void>; leased: boolean }
  >()

  /**
   * Execute a stored run with the core engine and record it. Resolves once the run's final state
   * is committed. Separate from `submit` so a queue worker can call it for runs it claimed.
   */
  function startStoredRun({ run, flow }: StoredRun): Promise<void> {
    const controller = new AbortController()
    const stored = execute(run, flow, controller.signal).finally(() => active.delete(run.id))
    active.set(run.id, { flowId: run.flowId, controller, stored, leased: run.leaseOwner !== null })
    return stored
  }

  async function execute(run: RunRow, flow: StoredFlow, signal: AbortSignal): Promise<void> {
    // Yield one turn, so whoever started the run (an HTTP handler answering 202) goes first.
    await new Promise((resolve) => setImmediate(resolve))
    const nodeTypes = new Map(flow.nodes.map((node) => [node.id, node.type]))
    const recording = deps.recorder.track({
      runId: run.id,
      flowId: flow.id,
      nodeTypes,
      ...(run.leaseOwner ? { lease: { owner: run.leaseOwner, attempt: run.attempts } } : {}),
    })
    try {
      await deps.engine.run({
        runId: run.id,
        flow,
        input: run.input ?? undefined,
        variables: run.variables ?? undefined,
        targets: {
          ...(run.accounts ? { accounts: run.accounts } : {}),
          ...(run.regions ? { regions: run.regions } : {}),
        },
        ...(run.until ? { until: run.until } : {}),
        signal,
        onEvent: recording.onEvent,
      })
    } catch (err) {
      // The engine rejects only runs that cannot start; submit checks for those, so this is a
      // flow that changed under us or a bug. Record it rather than leave the run queued.
      deps.log('error', `run ${run.id} could not start`, err)
      recording.onEvent({
        type: 'run.finished',
        runId: run.id,
        at: now(),
        status: 'failed',
        error: {
          code: err instanceof FlowError ? err.code : 'RUN_FAILED',
          message: errorMessage(err),
        },
      })
    }
    await recording.stored
  }

  /**
   * The flow with its validation and overlap policy, cached per flow: a burst of run requests then
   * costs no database read and no validation each. An entry names one stored row, by version and
   * generation (a flow deleted and recreated under the same id restarts at version 1, possibly in
   * the same millisecond, but always with a new random generation). The cached copy is trusted only as far as the admission's insert confirms it (it
   * stores a run only while that same row is still at that version), and a refusal it leads to is
   * checked against a fresh read first, so neither a save or delete here nor one by another process
   * sharing the database is missed. The registry's size is part of the key, as installing a plugin
   * can change what validates.
   */
  const flowCache = new Map<string, CachedFlow>()
  async function currentFlow(flowId: string, fresh: boolean): Promise<CachedFlow | undefined> {
    const types = deps.registry.list().length
    const cached = flowCache.get(flowId)
    if (!fresh && cached && cached.types === types) return cached
    const current = await deps.flows.currentVersion(flowId)
    if (current === undefined) {
      flowCache.delete(flowId)
      return undefined
    }
    if (
      cached &&
      cached.version === current.version &&
      cached.generation === current.generation &&
      cached.types === types
    ) {
      return { ...cached, fresh: true }
    }
    const record = await deps.flows.get(flowId)
    if (!record) {
      flowCache.delete(flowId)
      return undefined
    }
    const entry: CachedFlow = {
      version: record.version,
      generation: record.generation,
      types,
      flow: record.flow,
      problems: validateFlow(record.flow, deps.registry),
      overlap: overlapOf(record.flow, deps.registry),
      fresh: false,
    }
    if (flowCache.size >= FLOW_CACHE_SIZE) flowCache.clear()
    flowCache.set(flowId, entry)
    return { ...entry, fresh: true }
  }

  /** One attempt at `submit`; undefined when the flow changed before the run was stored. */
  async function submitAgainst(
    flowId: string,
    options: RunOptions,
    triggeredBy: string,
    admission: AdmissionOptions,
    fresh: boolean
  ): Promise<SubmittedRun | undefined> {
    const record = await currentFlow(flowId, fresh)
    if (!record) throw notFound('flow', flowId)
    const flow = record.flow
    let variables: Record<string, unknown> | undefined
    try {
      if (admission.requireDeployed && !flow.deployed) {
        throw new AppError(
          409,
          'FLOW_NOT_DEPLOYED',
          `flow "${flowId}" is not deployed; its ${triggeredBy} trigger is off`
        )
      }
      variables = checkRunnable(flow, options, deps.registry, record.problems)
    } catch (err) {
      // A refusal from a cached copy is confirmed against the stored flow first.
      if (!record.fresh) return undefined
      throw err
    }
    const run = {
      id: newId(),
      flowId,
      flowVersion: record.version,
      flowGeneration: record.generation,
      status: 'queued' as const,
      triggeredBy,
      input: options.input ?? null,
      variables: variables ?? null,
      accounts: options.accounts ?? null,
      regions: options.regions ?? null,
      until: options.until ?? null,
      error: null,
      createdAt: now(),
      startedAt: null,
      finishedAt: null,
      idempotencyKey: admission.idempotencyKey ?? null,
      requestHash: admission.idempotencyKey ? (admission.requestHash ?? null) : null,
      overlap: record.overlap,
    }
    let outcome: Admission
    try {
      outcome = await deps.admission.admit(run)
    } catch (err) {
      if (err instanceof QueueFullError) {
        throw new AppError(
          429,
          'QUEUE_FULL',
          err.message,
          { queued: err.queued },
          {
            'Retry-After': String(err.retryAfterSeconds),
          }
        )
      }
      throw err
    }
    if (outcome.kind === 'stale') return undefined
    if (outcome.kind === 'skipped') return { run: outcome.active, flow, outcome: 'skipped' }
    if (outcome.kind === 'existing') checkSameRequest(outcome.run, admission)
    const stored = { run: outcome.run, flow }
    if (outcome.kind === 'created') dispatch(stored)
    return { ...stored, outcome: outcome.kind }
  }

  let dispatch: RunDispatcher = (stored) => {
    startStoredRun(stored).catch((err) => deps.log('error', `run ${stored.run.id} was not stored`, err))
  }

  return {
    startStoredRun,

    /** Replace how accepted runs are executed (the durable queue does). */
    setDispatcher(next: RunDispatcher) {
      dispatch = next
    },

    /**
     * Accept a run: check the flow and the request, store the run as queued, then dispatch it.
     * Resolves with the stored run once the row is committed, before the run executes. With an
     * idempotency key, a key seen before answers with that earlier run (`outcome: 'existing'`); a
     * flow whose overlap policy is `skip` answers with its active run (`outcome: 'skipped'`).
     */
    async submit(
      flowId: string,
      options: RunOptions,
      triggeredBy: string,
      admission: AdmissionOptions = {}
    ): Promise<SubmittedRun> {
      for (let attempt = 0; attempt < MAX_SUBMIT_ATTEMPTS; attempt++) {
        // The first attempt may use the cached flow; a retry, or a refusal, reads it again.
        const submitted = await submitAgainst(flowId, options, triggeredBy, admission, attempt > 0)
        if (submitted) return submitted
      }
      throw new AppError(
        503,
        'FLOW_CHANGING',
        `flow "${flowId}" changed while the run was being stored, ${MAX_SUBMIT_ATTEMPTS} times; try again`,
        undefined,
        { 'Retry-After': '1' }
      )
    },

    /**
     * Cancel a run. A run executing here is aborted and its final state awaited; a queued run no
     * process holds is marked cancelled directly.
     */
    async cancel(runId: string): Promise<RunStatus> {
      const running = active.get(runId)
      if (running) {
        running.controller.abort(new Error('cancelled by request'))
        await running.stored.catch(() => {})
        return (await deps.runs.get(runId))?.status ?? 'cancelled'
      }
      const run = await deps.runs.get(runId)
      if (!run) throw notFound('run', runId)
      if (run.status !== 'queued' && run.status !== 'running') {
        throw new AppError(409, 'RUN_FINISHED', `run "${runId}" already ${run.status}`, {
          status: run.status,
        })
      }
      await deps.runs.finishUnattended(
        runId,
        'cancelled',
        { code: 'CANCELLED', message: 'the run was cancelled' },
        now()
      )
      return 'cancelled'
    },

    isActive: (runId: string) => active.has(runId),

    /** Stop a run executing here without recording a cancel (its lease was taken over elsewhere). */
    abortHere(runId: string, reason: string) {
      active.get(runId)?.controller.abort(new Error(reason))
    },

    /**
     * Abort every run of a flow executing here (the flow is being deleted) and wait for them; its
     * cached copy goes too.
     */
    async cancelFlowRuns(flowId: string): Promise<void> {
      flowCache.delete(flowId)
      const entries = [...active.values()].filter((entry) => entry.flowId === flowId)
      for (const entry of entries) entry.controller.abort(new Error('the flow was deleted'))
      await Promise.allSettled(entries.map((entry) => entry.stored))
    },

    /** At boot: runs a dead process left queued or running will never finish; say so. */
    async failInterrupted(): Promise<number> {
      return deps.runs.failUnfinished(INTERRUPTED, now())
    },

    /**
     * Stop: give running runs `graceMs` to finish. Those still going then are handed back to the
     * queue when they came from it (`handBack` requeues them, so another process or the next start
     * runs them, as after a crash but without waiting for the lease to expire) and stopped here
     * without a final state; runs outside the queue are cancelled. Resolves once every write is
     * stored.
     */
    async stop(graceMs = 10_000, handBack?: (runIds: string[]) => Promise<string[]>): Promise<void> {
      const all = () => Promise.allSettled([...active.values()].map((entry) => entry.stored))
      let timer: NodeJS.Timeout | undefined
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs)
      })
      await Promise.race([all(), grace])
      clearTimeout(timer)
      const leased = [...active].filter(([, entry]) => entry.leased).map(([id]) => id)
      let handed = new Set<string>()
      if (handBack && leased.length > 0) {
        // Requeued first: the lease is gone before the engine is stopped, so the cancelled state
        // it then reports is fenced off and never stored.
        await deps.batcher.idle()
        handed = new Set(
          await handBack(leased).catch((err) => {
            deps.log('warn', 'handing unfinished runs back to the queue failed; they are cancelled', err)
            return []
          })
        )
        if (handed.size > 0) {
          deps.log('warn', `handed ${handed.size} unfinished run(s) back to the queue while stopping`)
        }
      }
      for (const id of handed) deps.recorder.release(id)
      for (const [id, entry] of active) {
        entry.controller.abort(
          new Error(
            handed.has(id) ? 'handed back to the queue: the server is stopping' : 'the server is stopping'
          )
        )
      }
      await all()
      await deps.batcher.idle()
    },
  }
}

export type RunService = ReturnType<typeof createRunService>

interface CachedFlow {
  version: number
  /** The flow row's generation: with the id and version it names one stored row. */
  generation: string
  types: number
  flow: StoredFlow
  problems: FlowProblem[]
  overlap: OverlapPolicy
  /** Confirmed against the database for this request (not only taken from the cache). */
  fresh: boolean
}
const FLOW_CACHE_SIZE = 1000
/**
 * Tries at storing one run while its flow keeps changing under it. Each retry reads the flow
 * again, so only a flow saved this many times within as many commits (milliseconds) runs out.
 */
const MAX_SUBMIT_ATTEMPTS = 5

/** An idempotency key names one request: the run it made answers only that same request again. */
function checkSameRequest(earlier: RunRow, admission: AdmissionOptions): void {
  if (!admission.requestHash || !earlier.requestHash || earlier.requestHash === admission.requestHash) return
  throw new AppError(
    422,
    'IDEMPOTENCY_KEY_REUSED',
    `Idempotency-Key "${admission.idempotencyKey}" was used before with a different request body; use a new key for a new request`,
    { field: 'Idempotency-Key', runId: earlier.id }
  )
}

/**
 * Refuse a run that could not start: an invalid flow, an unknown `until` node, bad variables.
 * Returns the run's variable overrides read as their types, as the run records them.
 */
export function checkRunnable(
  flow: StoredFlow,
  options: RunOptions,
  registry: PluginRegistry,
  problems: FlowProblem[] = validateFlow(flow, registry)
): Record<string, unknown> | undefined {
  const blocking = problemsBlockingRun(flow, problems, options.until)
  if (blocking.length > 0) {
    const scope = options.until === undefined ? 'the flow has' : `the nodes up to "${options.until}" have`
    throw new AppError(
      400,
      'FLOW_INVALID',
      `${scope} ${blocking.length} problem(s); fix them before running`,
      {
        problems: blocking,
      }
    )
  }
  if (options.until !== undefined && !flow.nodes.some((node) => node.id === options.until)) {
    throw new AppError(400, 'UNTIL_UNKNOWN', `until: the flow has no node "${options.until}"`, {
      field: 'until',
    })
  }
  try {
    return options.variables && overrideValues(flow.variables, options.variables)
  } catch (err) {
    if (err instanceof FlowError) throw new AppError(400, err.code, err.message, err.details)
    throw err
  }
}
