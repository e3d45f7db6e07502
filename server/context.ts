import { createEngine } from '../core/engine/engine.ts'
import { createRegistry, type PluginRegistry } from '../core/plugin/registry.ts'
import type { Services } from '../core/plugin/types.ts'
import { builtinPlugins } from '../plugins/index.ts'
import type { AwsServiceName } from '../plugins/shared/aws.ts'
import { clockOf } from '../plugins/shared/clock.ts'
import { createKeyStore, type KeyStore } from './auth/keys.ts'
import { createReplayGuard, type ReplayGuard } from './auth/replay-guard.ts'
import { type AccountService, createAccountService } from './aws/accounts-service.ts'
import { seedDemoAccount } from './aws/demo.ts'
import { createAwsGateway, type ServerAwsGateway } from './aws/gateway.ts'
import { createSecretBox } from './aws/secrets.ts'
import { defaultSnapshotRoots } from './aws/snapshot/load.ts'
import type { ServerConfig } from './config.ts'
import { type Database, openDatabase } from './db/client.ts'
import { migrateDatabase } from './db/migrate.ts'
import { createWriteBatcher, type WriteBatcher } from './db/write-batcher.ts'
import { warnDeployedFlowProblems } from './flows/deployed-problems.ts'
import { createFlowService, type FlowService } from './flows/service.ts'
import { createLogger, type Logger } from './log.ts'
import { type AwsExecutor, sdkAwsExecutor } from './plugins/aws-gateway.ts'
import { loadPlugins, type PluginHost } from './plugins/host.ts'
import type { PluginSettings } from './plugins/settings.ts'
import { createAdmission } from './queue/admission.ts'
import { type Claims, createClaims } from './queue/claims.ts'
import { createRetention, type Retention } from './queue/retention.ts'
import { waitForRun } from './queue/wait.ts'
import { createQueueWorker, type QueueWorker } from './queue/worker.ts'
import { type AccountRepo, createAccountRepo } from './repos/accounts.ts'
import { type ControlResultRepo, createControlResultRepo } from './repos/control-results.ts'
import { createFlowRepo, type FlowRepo } from './repos/flows.ts'
import { createRunRepo, type RunRepo } from './repos/runs.ts'
import { createEventStreams, type EventStreams } from './runs/event-streams.ts'
import { createLiveRuns, type LiveRuns } from './runs/live.ts'
import { createRunRecorder } from './runs/recorder.ts'
import { createRunService, type RunService } from './runs/service.ts'
import { DEFAULT_RUNTIME_SETTINGS, type RuntimeSettings } from './runtime-config.ts'
import { loadDeployedFlows } from './triggers/deployed.ts'
import { createTriggerManager, type TriggerManager } from './triggers/manager.ts'

/**
 * Everything the routes and the CLI work with, built once per process. Other parts of the server
 * (accounts, plugin loader, scheduler) add their repositories and services here.
 */
export interface ServerContext {
  config: Pick<ServerConfig, 'bodyLimit'>
  database: Database
  registry: PluginRegistry
  log: Logger
  batcher: WriteBatcher
  flows: FlowRepo
  flowService: FlowService
  runs: RunRepo
  runService: RunService
  controls: ControlResultRepo
  live: LiveRuns
  /** Open run event streams; `stopRuns` ends them with `server-stopping`. */
  eventStreams: EventStreams
  /** Queue, triggers, retention and access settings. */
  settings: RuntimeSettings
  queue: { claims: Claims; worker: QueueWorker }
  triggers: TriggerManager
  retention: Retention
  keys: KeyStore
  replay: ReplayGuard
  /** Wait until a run is finished (here or in another process) or `timeoutMs` passes. */
  waitForRun(runId: string, timeoutMs: number): Promise<boolean>
  /**
   * Start the background work a server does: claim queued runs of other processes, renew leases
   * and take over expired ones, arm deployed triggers, prune old runs. `serve` calls it; one-off
   * commands and most tests do not need it (runs queued here execute here anyway).
   */
  startBackground(): Promise<void>
  /** Community plugins: what loaded and what failed (`GET /api/plugins`). */
  plugins?: PluginHost
  accounts: AccountRepo
  accountService: AccountService
  /** AWS clients per account, region and service; what plugins get as `ctx.services.aws`. */
  aws: ServerAwsGateway
  /** The built editor, served at `/` when present. */
  uiDir?: string
  /**
   * The first step of a shutdown: claim no more runs, give those going `graceMs` to finish, then
   * hand the rest back to the queue (see `RunService.stop`), and end the event streams still open
   * with `server-stopping`. `close` does it too.
   */
  stopRuns(graceMs?: number): Promise<void>
  /** Stop runs, flush writes, close the database. */
  close(graceMs?: number): Promise<void>
}

export interface ContextOptions {
  config: Pick<ServerConfig, 'db' | 'bodyLimit' | 'logLevel'> &
    Partial<Pick<ServerConfig, 'snapshotRoots' | 'awsTimeouts'>>
  /** Defaults to a registry of the built-in plugins. */
  registry?: PluginRegistry
  services?: Services
  log?: Logger
  uiDir?: string
  /** Mark runs a previous process left unfinished as failed (one-off use; the queue's leases do this for a server). */
  failInterruptedRuns?: boolean
  /** Queue, triggers, retention and access; the defaults of an empty environment otherwise. */
  runtime?: RuntimeSettings
  /** Community plugins to load into the registry (`pluginSettingsFromEnv`); none when absent. */
  plugins?: PluginSettings
  /** Performs `ctx.aws.call` for community plugins with the host's AWS clients. */
  pluginAws?: AwsExecutor
  /** Add the offline demo account (`demo`) when absent (default true). */
  seedDemoAccount?: boolean
  /** Static AWS keys are sealed with this (default: the QFLOW_SECRET_KEY environment variable). */
  secretKey?: string
}

/** What a run handed back to the queue at shutdown says until an attempt finishes it. */
const SHUT_DOWN = {
  code: 'HANDED_BACK',
  message:
    'the server process running it was shut down before it finished; it was handed back to the queue and starts again in another process or at the next start',
}

/** Open and migrate the database and wire the services on top of it. */
export async function createServerContext(options: ContextOptions): Promise<ServerContext> {
  const log = options.log ?? createLogger(options.config.logLevel)
  const database = await openDatabase(options.config.db)
  try {
    await migrateDatabase(database)
  } catch (err) {
    database.close()
    throw err
  }
  const { db } = database
  const registry = options.registry ?? createRegistry(builtinPlugins)
  const batcher = createWriteBatcher(database.client, log)
  const live = createLiveRuns()
  const eventStreams = createEventStreams()
  // Flow times follow the services' clock, so a test can save two flows in the same millisecond.
  const flows = createFlowRepo(db, clockOf(options.services ?? {}).now)
  const runs = createRunRepo(db)
  const recorder = createRunRecorder({ batcher, live })
  const accounts = createAccountRepo(db)
  if (options.seedDemoAccount !== false && (await seedDemoAccount(accounts)))
    log('info', 'added the demo account "demo" (a snapshot estate, no AWS needed)')
  const secrets = createSecretBox(options.secretKey ?? process.env.QFLOW_SECRET_KEY)
  const snapshotRoots = options.config.snapshotRoots ?? defaultSnapshotRoots()
  const aws = createAwsGateway({
    accounts,
    secrets,
    snapshotRoots,
    ...(options.config.awsTimeouts ? { timeouts: options.config.awsTimeouts } : {}),
  })
  // A plugin that fails to load is reported by the host, never thrown: the server starts regardless.
  const plugins = options.plugins
    ? await loadPlugins({
        settings: options.plugins,
        registry,
        // Community plugins reach AWS only through the host's own clients for the run's accounts.
        aws:
          options.pluginAws ??
          sdkAwsExecutor((service, account, region) =>
            aws.client(account, region, service as AwsServiceName)
          ),
      })
    : undefined
  const settings = options.runtime ?? DEFAULT_RUNTIME_SETTINGS
  const services: Services = { aws, ...options.services }
  const engine = createEngine({ registry, log, services })
  const claims = createClaims(db)
  const admission = createAdmission({ db, batcher, claims, maxQueued: settings.queue.maxQueued })
  const runService = createRunService({ flows, runs, batcher, recorder, admission, engine, registry, log })
  if (options.failInterruptedRuns) {
    const count = await runService.failInterrupted()
    if (count > 0) log('warn', `marked ${count} run(s) left unfinished by a previous process as failed`)
  }

  const worker = createQueueWorker({
    claims,
    settings: settings.queue,
    log,
    async execute(run) {
      const flow = await flows.version(run.flowId, run.flowVersion)
      if (!flow) {
        await runs.finishUnattended(
          run.id,
          'failed',
          { code: 'FLOW_DELETED', message: `flow "${run.flowId}" was deleted before the run started` },
          Date.now()
        )
        return
      }
      await runService.startStoredRun({ run, flow })
    },
    abort: (runId, reason) => runService.abortHere(runId, reason),
  })
  // Accepted runs stay queued in the database; the worker claims them (here, or in any process).
  runService.setDispatcher(() => worker.poke())

  const waitFor = (runId: string, timeoutMs: number) =>
    waitForRun(async (id) => (await runs.get(id))?.status, runId, timeoutMs)

  const triggers = createTriggerManager({
    registry,
    loadDeployed: () => loadDeployedFlows(db),
    async fire(flowId, input, fireOptions) {
      const submitted = await runService.submit(flowId, { input }, 'schedule', {
        requireDeployed: true,
        ...(fireOptions.dedupeKey ? { idempotencyKey: fireOptions.dedupeKey } : {}),
      })
      if (submitted.outcome === 'skipped') {
        log('info', `flow ${flowId}: scheduled run skipped, run ${submitted.run.id} is still going`)
      }
    },
    services,
    log,
    syncMs: settings.triggers.syncMs,
  })
  const retention = createRetention({ database, settings: settings.retention, log })
  const replay = createReplayGuard(db)
  const background: NodeJS.Timeout[] = []
  const stopRuns = async (graceMs?: number) => {
    await worker.drain()
    await runService.stop(graceMs, (runIds) => claims.handBack(worker.owner, runIds, SHUT_DOWN))
    // After the runs: a stream whose run finished in the grace time has said so already.
    await eventStreams.end()
  }
  let backgroundStarted = false

  return {
    config: { bodyLimit: options.config.bodyLimit },
    database,
    registry,
    log,
    batcher,
    flows,
    flowService: createFlowService({ flows, registry, accountIds: () => accounts.ids() }),
    runs,
    runService,
    controls: createControlResultRepo(db),
    live,
    eventStreams,
    settings,
    queue: { claims, worker },
    triggers,
    retention,
    keys: createKeyStore(db),
    replay,
    waitForRun: waitFor,
    async startBackground() {
      if (backgroundStarted) return
      backgroundStarted = true
      await warnDeployedFlowProblems(db, registry, log).catch((err) =>
        log('warn', 'checking deployed flows for problems failed', err)
      )
      await retention.prepare()
      await worker.start()
      await triggers.start()
      retention.start()
      const pruneSignatures = setInterval(() => {
        replay
          .prune(clockOf(services).now())
          .catch((err) => log('warn', 'pruning seen signatures failed', err))
      }, 60_000)
      pruneSignatures.unref()
      background.push(pruneSignatures)
    },
    ...(plugins ? { plugins } : {}),
    accounts,
    accountService: createAccountService({
      repo: accounts,
      gateway: aws,
      secrets,
      snapshotRoots,
      flowsBoundTo: (id) => flows.boundTo(id),
    }),
    aws,
    ...(options.uiDir ? { uiDir: options.uiDir } : {}),
    stopRuns,
    async close(graceMs) {
      for (const timer of background.splice(0)) clearInterval(timer)
      await triggers.stop()
      await retention.stop()
      await stopRuns(graceMs)
      await worker.stop()
      await plugins?.close()
      // Ends AWS calls still waiting (an account test on a silent endpoint) and their sockets.
      aws.close()
      database.close()
    },
  }
}
