import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { parseNodeConfig } from '../../core/flow/validate.ts'
import type { NodePlugin } from '../../core/plugin/types.ts'
import { builtinPlugins } from '../../plugins/index.ts'
import { readPluginPackage } from '../../server/plugins/package.ts'
import { sampleFlow, startTestServer, type TestServer } from '../support/server.ts'

let server: TestServer
beforeEach(async () => {
  server = await startTestServer()
})
afterEach(async () => {
  await server.close()
})

async function errorOf(method: string, path: string, body?: unknown) {
  const response = await server.call(method, path, body)
  expect(response.status).toBe(400)
  return ((await response.json()) as any).error
}

describe('messages in plain words, not zod’s', () => {
  it('a built-in node config out of range', () => {
    const trigger = builtinPlugins.find((plugin) => plugin.manifest.type === 'trigger')!
    const parsed = parseNodeConfig(trigger, {
      typeVersion: 1,
      config: { kind: 'recurrent', every: 0, unit: 'minutes' },
    })
    expect(parsed).toEqual({ ok: false, issues: [{ field: 'every', message: 'expected more than 0' }] })
  })

  it('a community plugin config, checked from its JSON Schema', () => {
    const config = z.fromJSONSchema({ type: 'object', properties: { value: { type: 'string' } } })
    const plugin = { manifest: { version: 1 }, config } as unknown as NodePlugin
    expect(parseNodeConfig(plugin, { typeVersion: 1, config: { value: 5 } })).toEqual({
      ok: false,
      issues: [{ field: 'value', message: 'expected a string, got a number' }],
    })
  })

  it('a position of 1e400, which JSON reads as Infinity', async () => {
    const text = JSON.stringify(sampleFlow()).replace(
      '"type":"trigger"',
      '"type":"trigger","position":{"x":1e400,"y":0}'
    )
    const error = await errorOf('POST', '/api/flows/validate', text)
    expect(error.message).toBe('nodes.0.position.x: expected a finite number, got Infinity')
  })

  it('a plugin package without a qflow field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qflow-plain-'))
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'left-pad', version: '1.0.0' }))
    await expect(readPluginPackage(dir)).rejects.toThrow(
      'package.json: no qflow field; a qflow plugin names its API version and node modules there, see docs/plugins.md'
    )
  })

  it('one limit for an offset past every bound', async () => {
    const error = await errorOf('GET', '/api/flows?offset=99999999999999999999')
    expect(error.message).toBe('offset: expected at most 1000000000')
    expect(error.details.issues).toHaveLength(1)
  })

  it('a search with control characters, which matched every flow', async () => {
    await server.call('POST', '/api/flows', sampleFlow())
    const error = await errorOf('GET', '/api/flows?q=%00')
    expect(error.message).toBe('q: cannot contain control characters')
  })
})
