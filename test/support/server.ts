import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FlowInput } from '../../core/flow/schema.ts'
import { createRegistry } from '../../core/plugin/registry.ts'
import { type AppOptions, createApp } from '../../server/app.ts'
import { createServerContext, type ServerContext } from '../../server/context.ts'
import { builtinAndTestPlugins } from './plugins.ts'

export interface TestServer {
  ctx: ServerContext
  app: ReturnType<typeof createApp>
  dir: string
  /** `app.request` with JSON in and out. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>
  /** Wait until a run is finished and stored; returns its record. */
  waitForRun(runId: string): Promise<any>
  close(): Promise<void>
}

/** A real libSQL file in a fresh temp folder, migrated as at boot, with the builtin and test node types. */
export async function startTestServer(
  options: { bodyLimit?: number; uiDir?: string; app?: AppOptions; dir?: string } = {}
): Promise<TestServer> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'qflow-test-'))
  const ctx = await createServerContext({
    config: {
      db: { url: `file:${join(dir, 'qflow.db')}` },
      bodyLimit: options.bodyLimit ?? 1024 * 1024,
      logLevel: 'silent',
    },
    registry: createRegistry(builtinAndTestPlugins),
    failInterruptedRuns: true,
    ...(options.uiDir ? { uiDir: options.uiDir } : {}),
  })
  const app = createApp(ctx, options.app)
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    })
  return {
    ctx,
    app,
    dir,
    call,
    async waitForRun(runId) {
      for (let attempt = 0; attempt < 500; attempt++) {
        const response = await call('GET', `/api/runs/${runId}`)
        const run = await response.json()
        if (['succeeded', 'failed', 'cancelled'].includes(run.status)) return run
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      throw new Error(`run ${runId} did not finish`)
    },
    async close() {
      await ctx.close(0)
      if (!options.dir) rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** trigger -> emit(3) -> map(+seen) -> control(bad when n is 1), plus a failing side branch. */
export function sampleFlow(overrides: Partial<FlowInput> = {}): FlowInput {
  return {
    name: 'Sample flow',
    description: 'for tests',
    categories: ['test', 'rds'],
    variables: [{ name: 'label', type: 'string', value: 'hello' }],
    nodes: [
      { id: 'trigger', type: 'trigger', typeVersion: 1, config: {} },
      { id: 'emit', type: 'test-emit', typeVersion: 1, config: { count: 3, tag: '$wf.variables.label' } },
      { id: 'map', type: 'test-map', typeVersion: 1, config: { set: { id: 'obj.n', bad: false } } },
      {
        id: 'control',
        type: 'totalcloud-control',
        typeVersion: 1,
        config: {
          criteria: {
            type: 'group',
            conditions: [{ type: 'param', key: 'bad', operator: 'equals', value: true }],
          },
          resourceIdKey: 'id',
        },
      },
    ],
    edges: [
      { id: 'e1', source: 'trigger', sourcePort: 'out', target: 'emit', targetPort: 'in' },
      { id: 'e2', source: 'emit', sourcePort: 'out', target: 'map', targetPort: 'in' },
      { id: 'e3', source: 'map', sourcePort: 'out', target: 'control', targetPort: 'in' },
    ],
    ...overrides,
  }
}
