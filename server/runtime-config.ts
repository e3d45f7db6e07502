import { z } from 'zod'
import { AUTH_MODES, type AuthSettings } from './auth/access-mode.ts'
import type { RetentionSettings } from './queue/retention.ts'
import type { WorkerSettings } from './queue/worker.ts'

/**
 * The environment variables of the run queue, triggers, retention and access control, with their
 * defaults. Merged into the server's configuration by `loadConfig`.
 */
const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value)
const int = (min: number, max: number, fallback: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().int().min(min).max(max).default(fallback))
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
  QFLOW_WORKERS: int(0, 256, 16),
  QFLOW_QUEUE_LIMIT: int(1, 10_000_000, 10_000),
  QFLOW_LEASE_MS: int(1000, 3_600_000, 30_000),
  QFLOW_RUN_ATTEMPTS: int(1, 100, 2),
  QFLOW_QUEUE_POLL_MS: int(10, 60_000, 500),
  QFLOW_TRIGGER_SYNC_MS: int(100, 3_600_000, 5000),
  QFLOW_RETENTION_DAYS: int(1, 36_500, 60),
  QFLOW_PAYLOAD_RETENTION_DAYS: int(1, 36_500, 30),
  QFLOW_DB_MAX_MB: int(0, 10_000_000, 2048),
  QFLOW_FLOW_VERSIONS_KEEP: int(0, 1_000_000, 100),
  QFLOW_SHUTDOWN_GRACE_MS: int(0, 3_600_000, 10_000),
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
