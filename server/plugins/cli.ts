import { resolve } from 'node:path'
import { errorMessage } from '../../core/errors.ts'
import { builtinPlugins } from '../../plugins/index.ts'
import { installPlugin, uninstallPlugin } from './install.ts'
import { scaffoldPlugin } from './scaffold.ts'
import { pluginSettingsFromEnv } from './settings.ts'

/** The subset of the CLI's io a command needs (same shape as server/cli's CliIo). */
export interface PluginCliIo {
  out(text: string): void
  err(text: string): void
  env: Record<string, string | undefined>
  cwd: string
}

const USAGE = `qflow plugin new <package-name> [folder]     create a plugin package with one node type and a test
qflow plugin install <folder|package> [--allow-host <host>]...
                                             check a plugin (policy, API version, trial load) and record it
qflow plugin remove <package-name|source>    remove it from the plugins file
qflow plugin list                            show the configured plugins`

/**
 * \`qflow plugin ...\`. Install writes the plugins file (\`QFLOW_PLUGINS_FILE\`, default
 * \`data/plugins.json\`); the server loads it, plus \`QFLOW_PLUGINS\`, at start.
 */
export const pluginCommand = {
  summary: 'create, install and remove community node plugins',
  usage: USAGE,
  async run(args: string[], io: PluginCliIo): Promise<number> {
    const [action, ...rest] = args
    try {
      switch (action) {
        case 'new': {
          const [name, folder] = rest
          if (!name) return usage(io, 'plugin new: give the package name, e.g. qflow-plugin-jira')
          const dir = resolve(io.cwd, folder ?? name.replace(/^@[^/]+\//, ''))
          const files = await scaffoldPlugin(name, dir)
          io.out(`created ${dir}\n${files.map((file) => `  ${file}`).join('\n')}\n`)
          io.out('next: npm install --save-dev qflow && npm test\n')
          return 0
        }
        case 'install': {
          const { positional, hosts } = parseHosts(rest)
          if (positional.length !== 1) return usage(io, 'plugin install: give one folder or package name')
          const settings = await pluginSettingsFromEnv(io.env, io.cwd)
          const status = await installPlugin(positional[0]!, { settings, hosts, builtins: builtinPlugins })
          const types = status.nodeTypes.map((node) => node.type).join(', ')
          io.out(`installed ${status.name}@${status.version} (node types: ${types}) in ${settings.file}\n`)
          io.out(`network: ${status.network.join(', ') || 'none'}\nrestart the server to load it\n`)
          return 0
        }
        case 'remove': {
          if (rest.length !== 1) return usage(io, 'plugin remove: give the package name or source')
          const settings = await pluginSettingsFromEnv(io.env, io.cwd)
          const removed = await uninstallPlugin(rest[0]!, settings)
          if (!removed) {
            io.err(`${rest[0]} is not in ${settings.file}\n`)
            return 1
          }
          io.out(`removed ${rest[0]}; restart the server to unload it\n`)
          return 0
        }
        case 'list': {
          const settings = await pluginSettingsFromEnv(io.env, io.cwd)
          if (settings.entries.length === 0) io.out('no plugins configured\n')
          for (const entry of settings.entries) {
            io.out(
              `${entry.source}${entry.hosts.length > 0 ? `  (extra hosts: ${entry.hosts.join(', ')})` : ''}\n`
            )
          }
          return 0
        }
        default:
          return usage(io, action ? `plugin: unknown action "${action}"` : 'plugin: give an action')
      }
    } catch (err) {
      io.err(`${errorMessage(err)}\n`)
      return 1
    }
  },
}

function usage(io: PluginCliIo, problem: string): number {
  io.err(`${problem}\n\n${USAGE}\n`)
  return 2
}

function parseHosts(args: string[]): { positional: string[]; hosts: string[] } {
  const positional: string[] = []
  const hosts: string[] = []
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--allow-host' && args[i + 1]) hosts.push(args[++i]!)
    else positional.push(args[i]!)
  }
  return { positional, hosts }
}
