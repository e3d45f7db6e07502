import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { z } from 'zod'
import { FlowError } from '../../core/errors.ts'
import { describeIssue } from '../../core/zod-messages.ts'
import { hostRule } from './package.ts'
import type { PluginPolicy } from './policy.ts'

/** One configured plugin: where it comes from, and any extra hosts the operator lets it reach. */
export const pluginEntrySchema = z.object({
  source: z.string().min(1),
  hosts: z.array(hostRule).default([]),
})
export type PluginEntry = z.infer<typeof pluginEntrySchema>

/** The file `qflow plugin install` maintains. */
export const pluginsFileSchema = z.object({ plugins: z.array(pluginEntrySchema).default([]) })

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
}

export const DEFAULT_LIMITS: PluginLimits = { memoryMb: 128, timeoutMs: 30_000, maxWorkers: 2, outputMb: 16 }

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
}

function flag(env: Record<string, string | undefined>, name: string): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase()
  if (raw === '' || raw === '0' || raw === 'false') return false
  if (raw === '1' || raw === 'true') return true
  throw new FlowError('SETTINGS_INVALID', `${name} must be 1 or 0 (true or false), got "${env[name]}"`)
}

function positive(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value <= 0) {
    throw new FlowError('SETTINGS_INVALID', `${name} must be a positive whole number, got "${raw}"`)
  }
  return value
}

/** The default of `PORT` (server/config.ts): the port a qflow server on this machine most likely has. */
const DEFAULT_SERVER_PORT = 8787

/**
 * Ports plugins may never connect to on this machine: the configured `PORT` (so a `qflow run` in
 * a shell beside a running server protects it too) and `QFLOW_PROTECTED_PORTS`, the ports of
 * other qflow processes here (several servers sharing one database listen on several ports).
 */
function protectedPorts(env: Record<string, string | undefined>): number[] {
  const ports = [env.PORT || String(DEFAULT_SERVER_PORT), ...list(env.QFLOW_PROTECTED_PORTS)]
  return [
    ...new Set(
      ports.map((raw, index) => {
        const port = Number(raw)
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          const name = index === 0 ? 'PORT' : 'QFLOW_PROTECTED_PORTS'
          throw new FlowError('SETTINGS_INVALID', `${name}: a port number (0-65535), got "${raw}"`)
        }
        return port
      })
    ),
  ].filter((port) => port > 0)
}

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
  const file = resolve(baseDir, env.QFLOW_PLUGINS_FILE ?? 'data/plugins.json')
  const fromFile = await readPluginsFile(file)
  const fromEnv = list(env.QFLOW_PLUGINS).map((source) => ({ source, hosts: [] }))
  const seen = new Set<string>()
  const entries = [...fromEnv, ...fromFile].filter((entry) => {
    if (seen.has(entry.source)) return false
    seen.add(entry.source)
    return true
  })
  return {
    entries,
    policy: { allow: list(env.QFLOW_PLUGINS_ALLOW), deny: list(env.QFLOW_PLUGINS_DENY) },
    limits: {
      memoryMb: positive(env, 'QFLOW_PLUGIN_MEMORY_MB', DEFAULT_LIMITS.memoryMb),
      timeoutMs: positive(env, 'QFLOW_PLUGIN_TIMEOUT_MS', DEFAULT_LIMITS.timeoutMs),
      maxWorkers: positive(env, 'QFLOW_PLUGIN_WORKERS', DEFAULT_LIMITS.maxWorkers),
      outputMb: positive(env, 'QFLOW_PLUGIN_OUTPUT_MB', DEFAULT_LIMITS.outputMb!),
    },
    baseDir,
    file,
    allowPrivateNetwork: flag(env, 'QFLOW_PLUGIN_ALLOW_PRIVATE_NETWORK'),
    serverPorts: protectedPorts(env),
  }
}

export async function readPluginsFile(file: string): Promise<PluginEntry[]> {
  if (!existsSync(file)) return []
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    throw new FlowError('SETTINGS_INVALID', `cannot read ${file}: ${(err as Error).message}`)
  }
  const parsed = pluginsFileSchema.safeParse(raw, { error: describeIssue })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new FlowError('SETTINGS_INVALID', `${file}: ${issue.path.join('.')}: ${issue.message}`)
  }
  return parsed.data.plugins
}
