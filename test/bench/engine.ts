import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createEngine } from '../../core/engine/engine.ts'
import { flowSchema } from '../../core/flow/schema.ts'
import { createRegistry } from '../../core/plugin/registry.ts'
import trigger from '../../plugins/trigger/index.ts'
import { createServerContext } from '../../server/context.ts'
import { createFlowRepo } from '../../server/repos/flows.ts'
import { testPlugins } from '../support/plugins.ts'
import { report } from './stats.ts'

/**
 * Engine overhead for a 5-node flow of small items (trigger -> emit 5 items -> map -> map -> map):
 * the nodes do next to nothing, so the time is the engine's own. In-process runs one after
 * another; persisted runs go through the run service (stored as queued, executed, every step
 * recorded in a libSQL file) with many in flight, as a busy server would have them.
 */
const flow = {
  ...flowSchema.parse({
    name: 'bench',
    nodes: [
      { id: 'trigger', type: 'trigger', typeVersion: 1 },
      { id: 'emit', type: 'test-emit', typeVersion: 1, config: { count: 5 } },
      { id: 'a', type: 'test-map', typeVersion: 1, config: { set: { a: 'obj.n' } } },
      { id: 'b', type: 'test-map', typeVersion: 1, config: { set: { b: true } } },
      { id: 'c', type: 'test-map', typeVersion: 1 },
    ],
    edges: [
      { id: 'e1', source: 'trigger', target: 'emit' },
      { id: 'e2', source: 'emit', target: 'a' },
      { id: 'e3', source: 'a', target: 'b' },
      { id: 'e4', source: 'b', target: 'c' },
    ],
  }),
  id: 'bench',
}

const registry = () => createRegistry([trigger, ...testPlugins])

async function inProcess(count: number, label: string) {
  const engine = createEngine({ registry: registry() })
  const latencies: number[] = []
  const cpu = process.cpuUsage()
  const started = performance.now()
  for (let i = 0; i < count; i++) {
    const t0 = performance.now()
    const result = await engine.run({ runId: `r${i}`, flow, input: { i }, onEvent: () => {} })
    if (result.status !== 'succeeded') throw new Error(`bench run failed: ${JSON.stringify(result.error)}`)
    latencies.push(performance.now() - t0)
  }
  if (label) report(label, count, performance.now() - started, latencies, process.cpuUsage(cpu))
}

async function persisted(count: number, concurrency: number, label: string) {
  const dir = mkdtempSync(join(tmpdir(), 'qflow-bench-'))
  const ctx = await createServerContext({
    config: { db: { url: `file:${join(dir, 'bench.db')}` }, bodyLimit: 1 << 20, logLevel: 'warn' },
    registry: registry(),
  })
  try {
    await createFlowRepo(ctx.database.db).create(flow)
    const executing = new Map<string, Promise<void>>()
    ctx.runService.setDispatcher((stored) => {
      executing.set(stored.run.id, ctx.runService.startStoredRun(stored))
    })
    const latencies: number[] = []
    let next = 0
    const cpu = process.cpuUsage()
    const started = performance.now()
    const worker = async () => {
      while (next < count) {
        next++
        const t0 = performance.now()
        const { run } = await ctx.runService.submit('bench', { input: { i: next } }, 'bench')
        await executing.get(run.id)
        executing.delete(run.id)
        latencies.push(performance.now() - t0)
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
    const elapsed = performance.now() - started
    const used = process.cpuUsage(cpu)
    const stored = await ctx.runs.listForFlow('bench', { limit: 1, offset: 0, status: ['succeeded'] })
    if (stored.total !== count) throw new Error(`expected ${count} stored runs, found ${stored.total}`)
    if (label) report(label, count, elapsed, latencies, used)
  } finally {
    await ctx.close(0)
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function bench(): Promise<void> {
  await inProcess(2000, '') // warm-up: JIT, zod schemas
  await inProcess(10_000, 'in-process, sequential')
  await persisted(500, 50, '') // warm-up
  await persisted(3000, 1, 'persisted to libSQL file, 1 in flight')
  await persisted(5000, 50, 'persisted to libSQL file, 50 in flight')
  await persisted(5000, 200, 'persisted to libSQL file, 200 in flight')
}
