import { createEngine } from '../core/engine/engine.ts'
import { createRegistry, type PluginRegistry } from '../core/plugin/registry.ts'
import type { Services } from '../core/plugin/types.ts'
import { builtinPlugins } from '../plugins/index.ts'
import type { AwsServiceName } from '../plugins/shared/aws.ts'
import { type AccountService, createAccountService } from './aws/accounts-service.ts'
import { seedDemoAccount } from './aws/demo.ts'
import { createAwsGateway, type ServerAwsGateway } from './aws/gateway.ts'
import { createSecretBox } from './aws/secrets.ts'
import type { ServerConfig } from './config.ts'
import { type Database, openDatabase } from './db/client.ts'
import { migrateDatabase } from './db/migrate.ts'
import { createWriteBatcher, type WriteBatcher } from './db/write-batcher.ts'
import { createFlowService, type FlowService } from './flows/service.ts'
import { createLogger, type Logger } from './log.ts'
import { type AwsExecutor, sdkAwsExecutor } from './plugins/aws-gateway.ts'
import { loadPlugins, type PluginHost } from './plugins/host.ts'
import type { PluginSettings } from './plugins/settings.ts'
import { type AccountRepo, createAccountRepo } from './repos/accounts.ts'
import { type ControlResultRepo, createControlResultRepo } from './repos/control-results.ts'
import { createFlowRepo, type FlowRepo } from './repos/flows.ts'
import { createRunRepo, type RunRepo } from './repos/runs.ts'
import { createLiveRuns, type LiveRuns } from './runs/live.ts'
import { createRunRecorder } from './runs/recorder.ts'
import { createRunService, type RunService } from './runs/service.ts'

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
  /** Community plugins: what loaded and what failed (`GET /api/plugins`). */
  plugins?: PluginHost
  accounts: AccountRepo
  accountService: AccountService
  /** AWS clients per account, region and service; what plugins get as `ctx.services.aws`. */
  aws: ServerAwsGateway
  /** The built editor, served at `/` when present. */
  uiDir?: string
  /** Stop runs, flush writes, close the database. */
  close(graceMs?: number): Promise<void>
}

export interface ContextOptions {
  config: Pick<ServerConfig, 'db' | 'bodyLimit' | 'logLevel'>
  /** Defaults to a registry of the built-in plugins. */
  registry?: PluginRegistry
  services?: Services
  log?: Logger
  uiDir?: string
  /** Mark runs a previous process left unfinished as failed (true for `serve`). */
  failInterruptedRuns?: boolean
  /** Community plugins to load into the registry (`pluginSettingsFromEnv`); none when absent. */
  plugins?: PluginSettings
  /** Performs `ctx.aws.call` for community plugins with the host's AWS clients. */
  pluginAws?: AwsExecutor
  /** Add the offline demo account (`demo`) when absent (default true). */
  seedDemoAccount?: boolean
  /** Static AWS keys are sealed with this (default: the QFLOW_SECRET_KEY environment variable). */
  secretKey?: string
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
  const flows = createFlowRepo(db)
  const runs = createRunRepo(db)
  const recorder = createRunRecorder({ batcher, live })
  const accounts = createAccountRepo(db)
  if (options.seedDemoAccount !== false && (await seedDemoAccount(accounts)))
    log('info', 'added the demo account "demo" (a snapshot estate, no AWS needed)')
  const secrets = createSecretBox(options.secretKey ?? process.env.QFLOW_SECRET_KEY)
  const aws = createAwsGateway({ accounts, secrets })
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
  const services: Services = { aws, ...options.services }
  const engine = createEngine({ registry, log, services })
  const runService = createRunService({ flows, runs, batcher, recorder, engine, registry, log })
  if (options.failInterruptedRuns) {
    const count = await runService.failInterrupted()
    if (count > 0) log('warn', `marked ${count} run(s) left unfinished by a previous process as failed`)
  }
  return {
    config: { bodyLimit: options.config.bodyLimit },
    database,
    registry,
    log,
    batcher,
    flows,
    flowService: createFlowService({ flows, registry }),
    runs,
    runService,
    controls: createControlResultRepo(db),
    live,
    ...(plugins ? { plugins } : {}),
    accounts,
    accountService: createAccountService({ repo: accounts, gateway: aws, secrets }),
    aws,
    ...(options.uiDir ? { uiDir: options.uiDir } : {}),
    async close(graceMs) {
      await runService.stop(graceMs)
      await plugins?.close()
      aws.forget()
      database.close()
    },
  }
}
