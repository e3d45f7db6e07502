import { describe, expect, it } from 'vitest'
import { CONFIG_DEFAULTS, ConfigError, loadConfig } from '../../server/config.ts'

describe('config', () => {
  it('has documented defaults', () => {
    expect(loadConfig({})).toEqual({
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
    expect(config).toEqual({
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
      for (const name of Object.keys(bad)) expect(message).toContain(`${name}=`)
    }
  })
})
