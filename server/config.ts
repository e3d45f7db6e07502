import { z } from 'zod'
import type { LogLevel } from '../core/plugin/types.ts'
import { describeIssue } from '../core/zod-messages.ts'
import { defaultSnapshotRoots } from './aws/snapshot/load.ts'
import { AWS_TIMEOUT_DEFAULTS, type AwsTimeouts } from './aws/timeouts.ts'
import { QUOTES_VALUE, wholeNumber } from './env-number.ts'
import { parseCorsOrigins } from './middleware/cors.ts'
import { type RuntimeSettings, runtimeEnvShape, runtimeSettingsOf, secret } from './runtime-config.ts'

/**
 * Server configuration, read from the environment once at boot. Every variable has a default that
 * runs a single process on one libSQL file, so `npm start` needs no set-up. A bad value stops the
 * boot with a message naming the variable, rather than surfacing later as a strange failure.
 */
export const CONFIG_DEFAULTS = {
  PORT: 8787,
  HOST: '127.0.0.1',
  QFLOW_DB_URL: 'file:./data/qflow.db',
  /** 1 MiB: a flow of 2,000 nodes with config fits comfortably; anything larger is a mistake or abuse. */
  QFLOW_BODY_LIMIT: 1024 * 1024,
  QFLOW_LOG_LEVEL: 'info',
  /**
   * SQLite `synchronous` for a file database. `normal` (with WAL) survives a process crash with
   * every commit intact and cannot corrupt the file; only a power loss or OS crash can drop the
   * last commits. `full` also survives those, at an fsync per commit (about 2 ms each here,
   * against 0.1 ms), which caps persisted runs well under 500/s.
   */
  QFLOW_DB_SYNC: 'normal',
} as const

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const
export type ConfigLogLevel = LogLevel | 'silent'

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value)

function milliseconds(fallback: number, min: number, max: number) {
  return wholeNumber({ unit: 'ms', min, max, fallback })
}

const envSchema = z.object({
  PORT: wholeNumber({
    unit: 'port',
    noun: 'a port number',
    min: 0,
    max: 65_535,
    fallback: CONFIG_DEFAULTS.PORT,
    note: '0 = any free port',
  }),
  HOST: z.preprocess(emptyAsUndefined, z.string().min(1).default(CONFIG_DEFAULTS.HOST)),
  QFLOW_DB_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(
        /^(file:|libsql:\/\/|https?:\/\/|wss?:\/\/)/,
        'expected a file:, libsql://, http(s):// or ws(s):// URL'
      )
      .default(CONFIG_DEFAULTS.QFLOW_DB_URL)
  ),
  QFLOW_DB_AUTH_TOKEN: z.preprocess(emptyAsUndefined, z.string().optional()),
  QFLOW_DB_SYNC: z.preprocess(
    (value) => (typeof value === 'string' ? value.toLowerCase() || undefined : value),
    z.enum(['normal', 'full']).default(CONFIG_DEFAULTS.QFLOW_DB_SYNC)
  ),
  QFLOW_BODY_LIMIT: wholeNumber({
    unit: 'bytes',
    min: 1024,
    max: 512 * 1024 * 1024,
    fallback: CONFIG_DEFAULTS.QFLOW_BODY_LIMIT,
  }),
  QFLOW_LOG_LEVEL: z.preprocess(
    (value) => (typeof value === 'string' ? value.toLowerCase() || undefined : value),
    z.enum(LOG_LEVELS).default(CONFIG_DEFAULTS.QFLOW_LOG_LEVEL)
  ),
  /** Origins allowed to call the API and load the editor bundle (pages embedding the editor). */
  QFLOW_CORS_ORIGINS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(
        /^(\*|https?:\/\/[^\s,]+)(\s*,\s*(https?:\/\/[^\s,]+))*\s*,?$/,
        'expected * or a comma-separated list of http(s) origins'
      )
      .optional()
  ),
  /** Folders snapshot accounts may read (comma-separated); unset = examples/ and ../shared/aws-cases. */
  QFLOW_SNAPSHOT_ROOTS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine(
        (value) => value.split(',').some((part) => part.trim() !== ''),
        'expected a comma-separated list of folders'
      )
      .optional()
  ),
  /** How long AWS calls may wait (see server/aws/timeouts.ts); a hung endpoint fails instead of hanging. */
  QFLOW_AWS_CONNECT_TIMEOUT_MS: milliseconds(AWS_TIMEOUT_DEFAULTS.connectMs, 100, 120_000),
  QFLOW_AWS_REQUEST_TIMEOUT_MS: milliseconds(AWS_TIMEOUT_DEFAULTS.requestMs, 1_000, 900_000),
  QFLOW_AWS_TEST_TIMEOUT_MS: milliseconds(AWS_TIMEOUT_DEFAULTS.testMs, 1_000, 300_000),
  /** Seals static AWS secret keys at rest; read by the secret box, checked here so a weak one stops the boot. */
  QFLOW_SECRET_KEY: z.preprocess(emptyAsUndefined, secret.optional()),
  ...runtimeEnvShape,
})

/** Variables whose values never appear in an error message: boot errors end up in logs. */
const SECRET_VARIABLES = new Set([
  'QFLOW_DB_AUTH_TOKEN',
  'QFLOW_ADMIN_TOKEN',
  'QFLOW_TOTALCLOUD_SECRETS',
  'QFLOW_SECRET_KEY',
])

export interface DbConfig {
  url: string
  authToken?: string
  /** File databases only. */
  sync?: 'normal' | 'full'
}

export interface ServerConfig extends RuntimeSettings {
  port: number
  host: string
  db: DbConfig
  bodyLimit: number
  logLevel: ConfigLogLevel
  /** From QFLOW_CORS_ORIGINS; empty means same-origin only. */
  corsOrigins: string[]
  /** Folders a snapshot account's `path` must lie inside (QFLOW_SNAPSHOT_ROOTS). */
  snapshotRoots: string[]
  /** QFLOW_AWS_CONNECT_TIMEOUT_MS, QFLOW_AWS_REQUEST_TIMEOUT_MS, QFLOW_AWS_TEST_TIMEOUT_MS. */
  awsTimeouts: AwsTimeouts
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

/** Parse the environment (process.env by default). Throws a ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const parsed = envSchema.safeParse(env, { error: describeIssue })
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0])
      // These messages quote the value given themselves (`got "maybe"`), so the name alone leads.
      const quoted =
        (issue.code === 'custom' && issue.params?.[QUOTES_VALUE] === true) || issue.code === 'invalid_value'
      const where = SECRET_VARIABLES.has(name)
        ? `${name}${issue.path.length > 1 ? ` (entry ${Number(issue.path[1]) + 1})` : ''} (value hidden)`
        : quoted
          ? name
          : `${issue.path.join('.')}=${JSON.stringify(env[name])}`
      return `${where}: ${issue.message}`
    })
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`)
  }
  const value = parsed.data
  return {
    port: value.PORT,
    host: value.HOST,
    db: {
      url: value.QFLOW_DB_URL,
      sync: value.QFLOW_DB_SYNC,
      ...(value.QFLOW_DB_AUTH_TOKEN ? { authToken: value.QFLOW_DB_AUTH_TOKEN } : {}),
    },
    bodyLimit: value.QFLOW_BODY_LIMIT,
    logLevel: value.QFLOW_LOG_LEVEL,
    corsOrigins: parseCorsOrigins(value.QFLOW_CORS_ORIGINS),
    snapshotRoots: value.QFLOW_SNAPSHOT_ROOTS
      ? value.QFLOW_SNAPSHOT_ROOTS.split(',')
          .map((part) => part.trim())
          .filter(Boolean)
      : defaultSnapshotRoots(),
    awsTimeouts: {
      connectMs: value.QFLOW_AWS_CONNECT_TIMEOUT_MS,
      requestMs: value.QFLOW_AWS_REQUEST_TIMEOUT_MS,
      testMs: value.QFLOW_AWS_TEST_TIMEOUT_MS,
    },
    ...runtimeSettingsOf(value),
  }
}
