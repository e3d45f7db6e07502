import { z } from 'zod'
import { AUTH_MODES, type AuthSettings } from './auth/access-mode.ts'
import { wholeNumber } from './env-number.ts'
import type { RetentionSettings } from './queue/retention.ts'
import type { WorkerSettings } from './queue/worker.ts'

/**
 * The environment variables of the run queue, triggers, retention and access control, with their
 * defaults. Merged into the server's configuration by `loadConfig`.
 */
const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value)
export const secret = z.string().min(16, 'at least 16 characters; use a long random value')

const DAY_MS = 86_400_000

export const runtimeEnvShape = {
  QFLOW_AUTH: z.preprocess(emptyAsUndefined, z.enum(AUTH_MODES).default('auto')),
  QFLOW_ADMIN_TOKEN: z.preprocess(emptyAsUndefined, secret.optional()),
  QFLOW_TOTALCLOUD_SECRETS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform((raw) =>
        raw
          .split(',')
          .map((part) => part.trim())
          .filter(Boolean)
      )
      .pipe(z.array(secret))
      .default([])
  ),
  QFLOW_WORKERS: wholeNumber({ unit: 'runs at once', min: 0, max: 256, fallback: 16, note: '0 = API only' }),
  QFLOW_QUEUE_LIMIT: wholeNumber({ unit: 'queued runs', min: 1, max: 10_000_000, fallback: 10_000 }),
  QFLOW_LEASE_MS: wholeNumber({ unit: 'ms', min: 1000, max: 3_600_000, fallback: 30_000 }),
  QFLOW_RUN_ATTEMPTS: wholeNumber({ unit: 'attempts', min: 1, max: 100, fallback: 2 }),
  QFLOW_QUEUE_POLL_MS: wholeNumber({ unit: 'ms', min: 10, max: 60_000, fallback: 500 }),
  QFLOW_TRIGGER_SYNC_MS: wholeNumber({ unit: 'ms', min: 100, max: 3_600_000, fallback: 5000 }),
  QFLOW_RETENTION_DAYS: wholeNumber({
    unit: 'days',
    min: 0,
    max: 36_500,
    fallback: 60,
    note: '0 = keep forever',
  }),
  QFLOW_PAYLOAD_RETENTION_DAYS: wholeNumber({
    unit: 'days',
    min: 0,
    max: 36_500,
    fallback: 30,
    note: '0 = keep forever',
  }),
  QFLOW_DB_MAX_MB: wholeNumber({
    unit: 'megabytes',
    min: 0,
    max: 10_000_000,
    fallback: 2048,
    note: '0 = no cap',
  }),
  QFLOW_FLOW_VERSIONS_KEEP: wholeNumber({
    unit: 'versions',
    min: 0,
    max: 1_000_000,
    fallback: 100,
    note: '0 = keep all',
  }),
  QFLOW_SHUTDOWN_GRACE_MS: wholeNumber({ unit: 'ms', min: 0, max: 3_600_000, fallback: 10_000 }),
}

const runtimeEnv = z.object(runtimeEnvShape)

export interface RuntimeSettings {
  auth: AuthSettings
  queue: WorkerSettings & { maxQueued: number }
  triggers: { syncMs: number }
  retention: RetentionSettings
  /** How long runs get to finish on SIGTERM/SIGINT before they are handed back to the queue. */
  shutdown: { graceMs: number }
}

export function runtimeSettingsOf(value: z.infer<typeof runtimeEnv>): RuntimeSettings {
  return {
    auth: {
      mode: value.QFLOW_AUTH,
      ...(value.QFLOW_ADMIN_TOKEN ? { adminToken: value.QFLOW_ADMIN_TOKEN } : {}),
      signingSecrets: value.QFLOW_TOTALCLOUD_SECRETS,
    },
    queue: {
      concurrency: value.QFLOW_WORKERS,
      maxQueued: value.QFLOW_QUEUE_LIMIT,
      leaseMs: value.QFLOW_LEASE_MS,
      maxAttempts: value.QFLOW_RUN_ATTEMPTS,
      pollMs: value.QFLOW_QUEUE_POLL_MS,
    },
    triggers: { syncMs: value.QFLOW_TRIGGER_SYNC_MS },
    retention: {
      runMaxAgeMs: value.QFLOW_RETENTION_DAYS * DAY_MS,
      payloadMaxAgeMs: value.QFLOW_PAYLOAD_RETENTION_DAYS * DAY_MS,
      maxBytes: value.QFLOW_DB_MAX_MB * 1024 * 1024,
      flowVersionsToKeep: value.QFLOW_FLOW_VERSIONS_KEEP,
      batchSize: 200,
      intervalMs: 10 * 60_000,
      firstPassDelayMs: 30_000,
    },
    shutdown: { graceMs: value.QFLOW_SHUTDOWN_GRACE_MS },
  }
}

/** The settings an empty environment gives: what tests and embedders get unless they say otherwise. */
export const DEFAULT_RUNTIME_SETTINGS: RuntimeSettings = runtimeSettingsOf(runtimeEnv.parse({}))
