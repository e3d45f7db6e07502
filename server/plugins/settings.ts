import { resolve } from 'node:path'
import { z } from 'zod'
import { portSetting } from '../config.ts'
import { envFlag } from '../env-flag.ts'
import { PORT_NUMBER, wholeNumber, wholeNumbers } from '../env-number.ts'
import { parseEnv } from '../env-parse.ts'
import { inspectPluginsFile, type PluginEntry, type PluginsFileProblem } from './plugins-file.ts'
import type { PluginPolicy } from './policy.ts'

/** Settings name their entries by the plugins file's type. */
export type { PluginEntry } from './plugins-file.ts'

export interface PluginLimits {
  /** V8 heap limit per worker process, MB. */
  memoryMb: number
  /** Ceiling for one call, ms. */
  timeoutMs: number
  /** Worker processes per plugin at most. */
  maxWorkers: number
  /** The largest output one call may return, as JSON, MB (default 16). */
  outputMb?: number
}

export interface PluginSettings {
  entries: PluginEntry[]
  policy: PluginPolicy
  limits: PluginLimits
  /** Folder that relative sources and package names resolve from. */
  baseDir: string
  /** Where installed plugins are recorded. */
  file: string
  /**
   * Let plugin code reach loopback, private and link-local addresses through any host it may reach
   * (`QFLOW_PLUGIN_ALLOW_PRIVATE_NETWORK=1`). Off: only literal addresses, `localhost` and
   * operator-granted hosts may lead there.
   */
  allowPrivateNetwork?: boolean
  /**
   * qflow's listening ports: plugins may never connect to them on this machine, whatever hosts
   * they were granted. From the environment (`PORT`, `QFLOW_PROTECTED_PORTS`); the server also adds
   * the port it really listens on (`PluginHost.protectServerPort`, for `PORT=0`).
   */
  serverPorts?: number[]
  /**
   * Tests only, never read from the environment: fixed DNS answers (host name -> addresses) the
   * workers use instead of the system resolver, so a test can make a public-looking name resolve to
   * loopback without a network.
   */
  resolveOverrides?: Record<string, string[]>
  /** What is wrong in the plugins file; its bad entries are left out and reported as failed. */
  fileProblems?: PluginsFileProblem[]
}

export const DEFAULT_LIMITS: PluginLimits = { memoryMb: 128, timeoutMs: 30_000, maxWorkers: 2, outputMb: 16 }

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
}

/**
 * The sandbox limits and network settings, in the words of the server's own settings (a bad one
 * stops the command with a ConfigError naming it), and the qflow ports plugins may never reach:
 * the configured `PORT` (so a `qflow run` in a shell beside a running server protects it too) and
 * `QFLOW_PROTECTED_PORTS`, the ports of other qflow processes here (several servers sharing one
 * database listen on several ports).
 */
const pluginEnvSchema = z.object({
  QFLOW_PLUGIN_MEMORY_MB: wholeNumber({ unit: 'megabytes', min: 1, fallback: DEFAULT_LIMITS.memoryMb }),
  QFLOW_PLUGIN_TIMEOUT_MS: wholeNumber({ unit: 'ms', min: 1, fallback: DEFAULT_LIMITS.timeoutMs }),
  QFLOW_PLUGIN_WORKERS: wholeNumber({
    unit: 'worker processes',
    min: 1,
    fallback: DEFAULT_LIMITS.maxWorkers,
  }),
  QFLOW_PLUGIN_OUTPUT_MB: wholeNumber({ unit: 'megabytes', min: 1, fallback: DEFAULT_LIMITS.outputMb! }),
  QFLOW_PLUGIN_ALLOW_PRIVATE_NETWORK: envFlag(),
  PORT: portSetting,
  QFLOW_PROTECTED_PORTS: wholeNumbers(PORT_NUMBER),
})

/**
 * Plugin settings from the environment: `QFLOW_PLUGINS` (package names or folders, comma-separated),
 * `QFLOW_PLUGINS_FILE` (what `qflow plugin install` wrote; default `data/plugins.json`),
 * `QFLOW_PLUGINS_ALLOW` / `QFLOW_PLUGINS_DENY` (package-name patterns), and the sandbox limits
 * `QFLOW_PLUGIN_MEMORY_MB`, `QFLOW_PLUGIN_TIMEOUT_MS`, `QFLOW_PLUGIN_WORKERS`, `QFLOW_PLUGIN_OUTPUT_MB`, and
 * `QFLOW_PLUGIN_ALLOW_PRIVATE_NETWORK` (internal addresses through any allowed host), and the
 * qflow ports plugins may never reach (`PORT`, `QFLOW_PROTECTED_PORTS`).
 */
export async function pluginSettingsFromEnv(
  env: Record<string, string | undefined> = process.env,
  baseDir = process.cwd()
): Promise<PluginSettings> {
  const value = parseEnv(pluginEnvSchema, env)
  const label = env.QFLOW_PLUGINS_FILE || 'data/plugins.json'
  const file = resolve(baseDir, label)
  const fromFile = await inspectPluginsFile(file, label)
  const fromEnv = list(env.QFLOW_PLUGINS).map((source) => ({ source, hosts: [] }))
  const seen = new Set<string>()
  const entries = [...fromEnv, ...fromFile.entries].filter((entry) => {
    if (seen.has(entry.source)) return false
    seen.add(entry.source)
    return true
  })
  return {
    entries,
    policy: { allow: list(env.QFLOW_PLUGINS_ALLOW), deny: list(env.QFLOW_PLUGINS_DENY) },
    limits: {
      memoryMb: value.QFLOW_PLUGIN_MEMORY_MB,
      timeoutMs: value.QFLOW_PLUGIN_TIMEOUT_MS,
      maxWorkers: value.QFLOW_PLUGIN_WORKERS,
      outputMb: value.QFLOW_PLUGIN_OUTPUT_MB,
    },
    baseDir,
    file,
    allowPrivateNetwork: value.QFLOW_PLUGIN_ALLOW_PRIVATE_NETWORK,
    serverPorts: [...new Set([value.PORT, ...value.QFLOW_PROTECTED_PORTS])].filter((port) => port > 0),
    ...(fromFile.problems.length > 0 ? { fileProblems: fromFile.problems } : {}),
  }
}
