import { mkdir, rename, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'
import { FlowError } from '../../core/errors.ts'
import { createRegistry } from '../../core/plugin/registry.ts'
import type { NodePlugin } from '../../core/plugin/types.ts'
import { loadPlugins, type PluginStatus } from './host.ts'
import { hostRule, pluginDirOf, readPluginPackage } from './package.ts'
import { type PluginEntry, readPluginsFile } from './plugins-file.ts'
import { policyRefusal } from './policy.ts'
import type { PluginSettings } from './settings.ts'

export interface InstallOptions {
  settings: PluginSettings
  /** Hosts the operator lets this plugin reach beyond those its manifest declares. */
  hosts?: string[]
  /** Node types it must not clash with (the built-ins). */
  builtins?: NodePlugin[]
}

/**
 * Record a plugin in the plugins file after checking it as the server would at boot: the policy,
 * the API version, and a trial load in the sandbox. A plugin that would fail to load is refused now,
 * with the same reason, instead of at the next restart.
 */
export async function installPlugin(source: string, options: InstallOptions): Promise<PluginStatus> {
  const { settings } = options
  // Checked before anything is written: a bad host in the plugins file would make every later
  // read of it fail, so the typo must be refused here, where the operator made it.
  for (const host of options.hosts ?? []) {
    const checked = hostRule.safeParse(host)
    if (!checked.success) {
      throw new FlowError('HOST_INVALID', `--allow-host "${host}": ${checked.error.issues[0]?.message}`)
    }
  }
  const dir = pluginDirOf(source, settings.baseDir)
  const pkg = await readPluginPackage(dir)
  const refusal = policyRefusal(pkg.name, settings.policy)
  if (refusal) throw new FlowError('PLUGIN_DENIED', refusal)
  const isFolder = source.startsWith('.') || isAbsolute(source)
  const entry: PluginEntry = {
    source: isFolder ? resolve(settings.baseDir, source) : source,
    hosts: options.hosts ?? [],
  }

  const [status] = await trialLoad(settings, [entry], options.builtins ?? [])
  if (status?.status !== 'loaded') {
    throw new FlowError(
      status?.error?.code ?? 'PLUGIN_LOAD_FAILED',
      status?.error?.message ?? 'the plugin did not load'
    )
  }

  const entries = (await readPluginsFile(settings.file)).filter(
    (existing) => existing.source !== entry.source
  )
  await writePluginsFile(settings.file, [...entries, entry])
  return status
}

/**
 * Load plugins the way the server does at start (policy, API version, sandbox, clashes with the
 * built-ins), report how each fared, and stop their workers again.
 */
export async function trialLoad(
  settings: PluginSettings,
  entries: PluginEntry[],
  builtins: NodePlugin[]
): Promise<PluginStatus[]> {
  const host = await loadPlugins({
    settings: { ...settings, entries, limits: { ...settings.limits, maxWorkers: 1 } },
    registry: createRegistry(builtins),
  })
  try {
    return host.list()
  } finally {
    await host.close()
  }
}

/** Remove a plugin from the plugins file, by source as installed or by package name. */
export async function uninstallPlugin(sourceOrName: string, settings: PluginSettings): Promise<boolean> {
  const entries = await readPluginsFile(settings.file)
  const keep: PluginEntry[] = []
  for (const entry of entries) {
    if (entry.source === sourceOrName || entry.source === resolve(settings.baseDir, sourceOrName)) continue
    const name = await readPluginPackage(pluginDirOf(entry.source, settings.baseDir)).then(
      (pkg) => pkg.name,
      () => undefined
    )
    if (name !== sourceOrName) keep.push(entry)
  }
  if (keep.length === entries.length) return false
  await writePluginsFile(settings.file, keep)
  return true
}

/** Write through a temporary file and rename, so a crash mid-write never leaves half a file. */
async function writePluginsFile(file: string, plugins: PluginEntry[]) {
  await mkdir(dirname(file), { recursive: true })
  const temporary = `${file}.${process.pid}.tmp`
  await writeFile(temporary, `${JSON.stringify({ plugins }, null, 2)}\n`)
  await rename(temporary, file)
}
