import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRegistry } from '../../core/plugin/registry.ts'
import type { Services } from '../../core/plugin/types.ts'
import { createApp } from '../../server/app.ts'
import { createServerContext, type ServerContext } from '../../server/context.ts'
import { DEFAULT_RUNTIME_SETTINGS, type RuntimeSettings } from '../../server/runtime-config.ts'
import { builtinAndTestPlugins } from './plugins.ts'

export interface TestServer {
  ctx: ServerContext
  app: ReturnType<typeof createApp>
  dir: string
  dbUrl: string
  /** `app.request` with JSON in and out. */
  call(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string; headers?: Record<string, string> }
  ): Promise<{ status: number; body: any; headers: Headers }>
  close(): Promise<void>
}

type RuntimeOverrides = { [K in keyof RuntimeSettings]?: Partial<RuntimeSettings[K]> }

/** A server context on a fresh libSQL file in a temp folder, with the test node types. */
export async function startTestServer(
  options: { runtime?: RuntimeOverrides; services?: Services; dir?: string } = {}
): Promise<TestServer> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'qflow-runtime-'))
  const dbUrl = `file:${join(dir, 'qflow.db')}`
  const runtime = Object.fromEntries(
    Object.entries(DEFAULT_RUNTIME_SETTINGS).map(([key, value]) => [
      key,
      { ...value, ...(options.runtime?.[key as keyof RuntimeSettings] ?? {}) },
    ])
  ) as unknown as RuntimeSettings
  const ctx = await createServerContext({
    config: { db: { url: dbUrl }, bodyLimit: 1024 * 1024, logLevel: 'silent' },
    registry: createRegistry(builtinAndTestPlugins),
    runtime,
    ...(options.services ? { services: options.services } : {}),
  })
  const app = createApp(ctx)
  return {
    ctx,
    app,
    dir,
    dbUrl,
    async call(method, path, { body, token, headers = {} } = {}) {
      const response = await app.request(path, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      })
      const text = await response.text()
      let parsed: unknown = text
      try {
        parsed = text ? JSON.parse(text) : undefined
      } catch {}
      return { status: response.status, body: parsed, headers: response.headers }
    },
    async close() {
      await ctx.close(1000)
      if (!options.dir) rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A valid flow document: a trigger (with `trigger` config) feeding the given test nodes in a chain. */
export function chainFlow(
  id: string,
  trigger: Record<string, unknown> = {},
  nodes: [type: string, config?: Record<string, unknown>][] = [['test-add', { step: 1 }]]
) {
  const all: [string, string, Record<string, unknown>][] = [
    ['trigger', 'trigger', trigger],
    ...nodes.map(([type, config], i): [string, string, Record<string, unknown>] => [
      `n${i + 1}`,
      type,
      config ?? {},
    ]),
  ]
  return {
    id,
    name: `flow ${id}`,
    nodes: all.map(([nodeId, type, config], i) => ({
      id: nodeId,
      type,
      typeVersion: 1,
      config,
      position: { x: i * 200, y: 0 },
    })),
    edges: all.slice(1).map(([nodeId], i) => ({
      id: `e${i}`,
      source: all[i]![0],
      sourcePort: 'out',
      target: nodeId,
      targetPort: 'in',
    })),
  }
}
