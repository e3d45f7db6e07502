import { describe, expect, it } from 'vitest'
import { CONFIG_DEFAULTS, ConfigError, loadConfig } from '../../server/config.ts'

describe('config', () => {
  it('has documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      port: 8787,
      host: '127.0.0.1',
      db: { url: 'file:./data/qflow.db', sync: 'normal' },
      bodyLimit: CONFIG_DEFAULTS.QFLOW_BODY_LIMIT,
      logLevel: 'info',
      corsOrigins: [],
    })
  })

  it('reads every variable, with the auth token for libSQL servers', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      QFLOW_DB_URL: 'libsql://qflow.example.turso.io',
      QFLOW_DB_AUTH_TOKEN: 'secret',
      QFLOW_DB_SYNC: 'FULL',
      QFLOW_BODY_LIMIT: '2048',
      QFLOW_LOG_LEVEL: 'DEBUG',
      QFLOW_CORS_ORIGINS: 'https://portal.example.com, http://localhost:3000',
    })
    expect(config).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      db: { url: 'libsql://qflow.example.turso.io', authToken: 'secret', sync: 'full' },
      bodyLimit: 2048,
      logLevel: 'debug',
      corsOrigins: ['https://portal.example.com', 'http://localhost:3000'],
    })
  })

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', QFLOW_LOG_LEVEL: '' }).port).toBe(8787)
  })

  it('fails naming each bad variable', () => {
    const bad = {
      PORT: '99999',
      QFLOW_DB_URL: 'postgres://x',
      QFLOW_BODY_LIMIT: 'lots',
      QFLOW_LOG_LEVEL: 'loud',
    }
    expect(() => loadConfig(bad)).toThrow(ConfigError)
    try {
      loadConfig(bad)
    } catch (err) {
      const message = (err as Error).message
      for (const name of Object.keys(bad)) expect(message).toMatch(new RegExp(`${name}(=|: )`))
    }
  })

  it('has queue, trigger, retention and access defaults, and reads their variables', () => {
    expect(loadConfig({})).toMatchObject({
      auth: { mode: 'auto', signingSecrets: [] },
      queue: { concurrency: 16, maxQueued: 10_000, leaseMs: 30_000, maxAttempts: 2, pollMs: 500 },
      triggers: { syncMs: 5000 },
      retention: {
        runMaxAgeMs: 60 * 86_400_000,
        payloadMaxAgeMs: 30 * 86_400_000,
        maxBytes: 2048 * 1024 * 1024,
        flowVersionsToKeep: 100,
        firstPassDelayMs: 30_000,
      },
      shutdown: { graceMs: 10_000 },
    })
    const config = loadConfig({
      QFLOW_AUTH: 'keys',
      QFLOW_ADMIN_TOKEN: 'a-long-admin-token-123',
      QFLOW_TOTALCLOUD_SECRETS: 'first-secret-0123456, second-secret-012345',
      QFLOW_WORKERS: '0',
      QFLOW_DB_MAX_MB: '0',
      QFLOW_FLOW_VERSIONS_KEEP: '0',
      QFLOW_SHUTDOWN_GRACE_MS: '2500',
    })
    expect(config.auth).toEqual({
      mode: 'keys',
      adminToken: 'a-long-admin-token-123',
      signingSecrets: ['first-secret-0123456', 'second-secret-012345'],
    })
    expect(config.queue.concurrency).toBe(0)
    expect(config.retention.maxBytes).toBe(0)
    expect(config.retention.flowVersionsToKeep).toBe(0)
    expect(config.shutdown.graceMs).toBe(2500)
    expect(() => loadConfig({ QFLOW_ADMIN_TOKEN: 'short' })).toThrow(
      /QFLOW_ADMIN_TOKEN \(value hidden\): at least 16/
    )
    expect(() => loadConfig({ QFLOW_AUTH: 'open' })).toThrow(
      'QFLOW_AUTH: expected one of "auto", "local", "keys", got "open"'
    )
  })

  it('says what a numeric setting takes, quoting the value given', () => {
    const messageOf = (env: Record<string, string>) => {
      try {
        loadConfig(env)
      } catch (err) {
        return (err as Error).message
      }
      throw new Error('expected a configuration error')
    }
    expect(messageOf({ QFLOW_DB_MAX_MB: '1.5' })).toContain(
      'QFLOW_DB_MAX_MB: a whole number of megabytes (0 = no cap), got "1.5"'
    )
    expect(messageOf({ QFLOW_FLOW_VERSIONS_KEEP: 'abc' })).toContain(
      'QFLOW_FLOW_VERSIONS_KEEP: a whole number of versions (0 = keep all), got "abc"'
    )
    expect(messageOf({ QFLOW_LEASE_MS: '10' })).toContain(
      'QFLOW_LEASE_MS: a whole number of ms from 1000 to 3600000, got "10"'
    )
    expect(messageOf({ QFLOW_AWS_CONNECT_TIMEOUT_MS: '-5' })).toContain(
      'QFLOW_AWS_CONNECT_TIMEOUT_MS: a whole number of ms, got "-5"'
    )
    expect(messageOf({ PORT: 'nope' })).toContain('PORT: a port number (0 = any free port), got "nope"')
    // 0 days keeps runs and payloads forever, as 0 turns off the other limits.
    const forever = loadConfig({ QFLOW_RETENTION_DAYS: '0', QFLOW_PAYLOAD_RETENTION_DAYS: '0' })
    expect(forever.retention).toMatchObject({ runMaxAgeMs: 0, payloadMaxAgeMs: 0 })
    expect(loadConfig({ QFLOW_DB_MAX_MB: ' 12 ' }).retention.maxBytes).toBe(12 * 1024 * 1024)
  })

  it('never prints a secret in a configuration error, valid neighbours included', () => {
    const env = {
      QFLOW_TOTALCLOUD_SECRETS: 'goodsecret-0123456789,tinysecret',
      QFLOW_ADMIN_TOKEN: 'tiny-admin',
      QFLOW_SECRET_KEY: 'x',
      QFLOW_DB_AUTH_TOKEN: 'db-token-value',
      PORT: 'nope',
    }
    let message = ''
    try {
      loadConfig(env)
    } catch (err) {
      message = (err as Error).message
    }
    expect(message).toContain('QFLOW_TOTALCLOUD_SECRETS (entry 2) (value hidden): at least 16')
    expect(message).toContain('QFLOW_ADMIN_TOKEN (value hidden)')
    expect(message).toContain('QFLOW_SECRET_KEY (value hidden): at least 16')
    expect(message).toContain('PORT: a port number (0 = any free port), got "nope"')
    for (const value of ['goodsecret', 'tinysecret', 'tiny-admin', 'db-token-value'])
      expect(message).not.toContain(value)
    expect(loadConfig({ QFLOW_SECRET_KEY: 'a-long-enough-secret-key' }).port).toBe(8787)
  })
})
