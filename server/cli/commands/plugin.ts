import { relative, resolve } from 'node:path'
import { errorMessage, FlowError } from '../../../core/errors.ts'
import { builtinPlugins } from '../../../plugins/index.ts'
import type { PluginStatus } from '../../plugins/host.ts'
import { installPlugin, trialLoad, uninstallPlugin } from '../../plugins/install.ts'
import { qflowDependency, scaffoldPlugin } from '../../plugins/scaffold.ts'
import { pluginSettingsFromEnv } from '../../plugins/settings.ts'
import { type CliCommand, type CliIo, EXIT, UsageError } from '../command.ts'
import { renderTable } from '../table.ts'

const USAGE = `plugin <action> ...
  plugin new <package-name> [folder]       create a plugin package with one node type and a test
  plugin install <folder|package> [--allow-host <host>]...
                                           check a plugin (policy, API version, trial load), record it
  plugin remove <package-name|source>      remove it from the plugins file
  plugin list [--json]                     load the configured plugins (QFLOW_PLUGINS and the plugins
                                           file) as the server would and show each one's status;
                                           exits 1 when any of them fails to load`

/**
 * \`qflow plugin ...\`. Install writes the plugins file (\`QFLOW_PLUGINS_FILE\`, default
 * \`data/plugins.json\`); the server loads it, plus \`QFLOW_PLUGINS\`, at start.
 */
export const pluginCommand: CliCommand = {
  summary: 'create, install and remove community node plugins',
  usage: USAGE,
  async run(args, io) {
    const [action, ...rest] = args
    try {
      switch (action) {
        case 'new': {
          const [name, folder] = rest
          if (!name) return usage(io, 'plugin new: give the package name, e.g. qflow-plugin-jira')
          const dir = resolve(io.cwd, folder ?? name.replace(/^@[^/]+\//, ''))
          const files = await scaffoldPlugin(name, dir)
          io.out(`created ${dir}\n${files.map((file) => `  ${file}`).join('\n')}`)
          io.out(`devDependencies.qflow = "${qflowDependency(dir)}" (this qflow checkout, for the tests)`)
          io.out(`next: cd ${relative(io.cwd, dir) || '.'} && npm install && npm test`)
          return EXIT.ok
        }
        case 'install': {
          const { positional, hosts } = parseHosts(rest)
          if (positional.length !== 1) return usage(io, 'plugin install: give one folder or package name')
          const settings = await pluginSettingsFromEnv(io.env, io.cwd)
          const status = await installPlugin(positional[0]!, { settings, hosts, builtins: builtinPlugins })
          const types = status.nodeTypes.map((node) => node.type).join(', ')
          io.out(`installed ${status.name}@${status.version} (node types: ${types}) in ${settings.file}`)
          const declared = status.network.filter((host) => !hosts.includes(host))
          io.out(`network: ${declared.join(', ') || 'none'} (its manifest)`)
          if (hosts.length > 0) io.out(`granted: ${hosts.join(', ')} (--allow-host)`)
          io.out('restart the server to load it')
          return EXIT.ok
        }
        case 'remove': {
          if (rest.length !== 1) return usage(io, 'plugin remove: give the package name or source')
          const settings = await pluginSettingsFromEnv(io.env, io.cwd)
          const removed = await uninstallPlugin(rest[0]!, settings)
          if (!removed) {
            io.err(`qflow plugin remove: ${rest[0]} is not in ${settings.file}`)
            return EXIT.failed
          }
          io.out(`removed ${rest[0]}; restart the server to unload it`)
          return EXIT.ok
        }
        case 'list': {
          const json = rest.includes('--json')
          const unknown = rest.filter((arg) => arg !== '--json')
          if (unknown.length > 0) return usage(io, `plugin list: unexpected "${unknown.join(' ')}"`)
          const settings = await pluginSettingsFromEnv(io.env, io.cwd)
          const statuses = await trialLoad(settings, settings.entries, builtinPlugins)
          if (json) io.out(JSON.stringify({ items: statuses }, null, 2))
          else if (statuses.length === 0) {
            io.out(`no plugins configured (QFLOW_PLUGINS is empty and ${settings.file} lists none)`)
          } else io.out(pluginTable(statuses))
          return statuses.some((status) => status.status === 'failed') ? EXIT.failed : EXIT.ok
        }
        default:
          return usage(io, action ? `plugin: unknown action "${action}"` : 'plugin: give an action')
      }
    } catch (err) {
      if (err instanceof UsageError) throw err
      io.err(`qflow plugin ${action}: ${errorMessage(err)}`)
      return isInputProblem(err) ? EXIT.usage : EXIT.failed
    }
  },
}

function pluginTable(statuses: PluginStatus[]): string {
  const rows = statuses.map((status) => [
    status.name ?? '-',
    status.version ?? '-',
    status.apiVersion === undefined ? '-' : String(status.apiVersion),
    status.nodeTypes.map((node) => node.type).join(', ') || '-',
    status.source,
    status.status === 'loaded' ? 'loaded' : `failed: ${status.error?.code}: ${status.error?.message}`,
  ])
  return renderTable(['NAME', 'VERSION', 'API', 'NODE TYPES', 'SOURCE', 'STATUS'], rows)
}

function usage(io: CliIo, problem: string): number {
  io.err(`qflow ${problem}\nusage: qflow ${USAGE}`)
  return EXIT.usage
}

function parseHosts(args: string[]): { positional: string[]; hosts: string[] } {
  const positional: string[] = []
  const hosts: string[] = []
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '--allow-host') positional.push(args[i]!)
    else if (args[i + 1] === undefined) throw new UsageError('install: --allow-host needs a host')
    else hosts.push(args[++i]!)
  }
  return { positional, hosts }
}

/**
 * Failures of what the operator gave (a folder that is not a readable plugin, a bad host) exit 2
 * like a wrong command line; a plugin that is readable but fails its trial load exits 1.
 */
const INPUT_PROBLEMS = new Set(['PLUGIN_NOT_FOUND', 'PLUGIN_MANIFEST_INVALID', 'HOST_INVALID'])
function isInputProblem(err: unknown): boolean {
  return err instanceof FlowError && INPUT_PROBLEMS.has(err.code)
}
