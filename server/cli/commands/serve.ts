import { parseArgs } from 'node:util'
import { loadConfig } from '../../config.ts'
import { pluginSettingsFromEnv } from '../../plugins/settings.ts'
import { type CliCommand, EXIT, UsageError } from '../command.ts'
import { registryWith } from '../plugins.ts'

/** How long runs get to finish after SIGINT/SIGTERM before they are cancelled. */
const SHUTDOWN_GRACE_MS = 10_000

export const serveCommand: CliCommand = {
  summary: 'run the API and the editor (PORT, HOST, QFLOW_DB_URL... from the environment)',
  usage: 'serve [--plugin <module> ...]',
  async run(args, io) {
    let plugins: string[]
    try {
      plugins =
        parseArgs({ args, options: { plugin: { type: 'string', multiple: true } } }).values.plugin ?? []
    } catch (err) {
      throw new UsageError((err as Error).message)
    }
    const config = loadConfig(io.env)
    // Loaded on use, so commands that need no server start quickly.
    const { startServer } = await import('../../server.ts')
    const server = await startServer(config, {
      registry: await registryWith(plugins, io.cwd),
      plugins: await pluginSettingsFromEnv(io.env, io.cwd),
    })
    io.out(`qflow listening on ${server.url} (database ${config.db.url})`)
    for (const plugin of server.ctx.plugins?.list() ?? []) {
      if (plugin.status === 'failed')
        io.err(`qflow: plugin ${plugin.name ?? plugin.source} did not load: ${plugin.error?.message}`)
    }
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        io.out(`qflow: ${signal}, stopping (runs get ${SHUTDOWN_GRACE_MS / 1000}s to finish)`)
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        server.close(SHUTDOWN_GRACE_MS).then(resolve, (err) => {
          io.err(`qflow: error while stopping: ${(err as Error).message}`)
          resolve()
        })
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
    return EXIT.ok
  },
}
