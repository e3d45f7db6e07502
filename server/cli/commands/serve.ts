import { parseArgs } from 'node:util'
import { loadConfig } from '../../config.ts'
import { type CliCommand, EXIT, UsageError } from '../command.ts'
import { pluginSettingsWith, registryWith, reportPluginFailures, splitPluginArgs } from '../plugins.ts'

export const serveCommand: CliCommand = {
  summary: 'run the API and the editor (PORT, HOST, QFLOW_DB_URL... from the environment)',
  usage:
    'serve [--plugin <folder|module> ...]\n' +
    '  plugins: those installed (qflow plugin install) and in QFLOW_PLUGINS; --plugin <folder> adds a\n' +
    '  plugin package until the server stops, in the same sandbox',
  async run(args, io) {
    let plugins: string[]
    try {
      plugins =
        parseArgs({ args, options: { plugin: { type: 'string', multiple: true } } }).values.plugin ?? []
    } catch (err) {
      throw new UsageError((err as Error).message)
    }
    const { modules, folders } = splitPluginArgs(plugins, io.cwd)
    const config = loadConfig(io.env)
    // Loaded on use, so commands that need no server start quickly.
    const { startServer } = await import('../../server.ts')
    const server = await startServer(config, {
      registry: await registryWith(modules, io.cwd),
      plugins: await pluginSettingsWith(folders, io),
    })
    try {
      reportPluginFailures(server.ctx.plugins?.list() ?? [], folders, io)
    } catch (err) {
      // The plugin the user asked to try did not load: say so rather than serve without it.
      await server.close(0)
      throw err
    }
    io.out(`qflow listening on ${server.url} (database ${config.db.url})`)
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        const grace = config.shutdown.graceMs
        io.out(`qflow: ${signal}, stopping (runs get ${grace / 1000}s to finish, then go back to the queue)`)
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        server.close(grace).then(resolve, (err) => {
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
