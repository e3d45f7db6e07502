import { createEngine } from '../core/engine/engine.ts'
import { createRegistry, type PluginRegistry } from '../core/plugin/registry.ts'
import type { Services } from '../core/plugin/types.ts'
import { builtinPlugins } from '../plugins/index.ts'
import type { ServerConfig } from './config.ts'
import { type Database, openDatabase } from './db/client.ts'
import { migrateDatabase } from './db/migrate.ts'
import { createWriteBatcher, type WriteBatcher } from './db/write-batcher.ts'
import { createFlowService, type FlowService } from './flows/service.ts'
import { createLogger, type Logger } from './log.ts'
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
  const batcher = createWriteBatcher(db, log)
  const live = createLiveRuns()
  const flows = createFlowRepo(db)
  const runs = createRunRepo(db)
  const recorder = createRunRecorder({ db, batcher, live })
  const engine = createEngine({ registry, log, ...(options.services ? { services: options.services } : {}) })
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
    ...(options.uiDir ? { uiDir: options.uiDir } : {}),
    async close(graceMs) {
      await runService.stop(graceMs)
      database.close()
    },
  }
}
