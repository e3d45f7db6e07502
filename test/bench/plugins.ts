import { readFile } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import { resolveExpressions } from '../../core/flow/expressions.ts'
import { createRegistry } from '../../core/plugin/registry.ts'
import type { NodeContext, PortItems } from '../../core/plugin/types.ts'
import { loadPlugins } from '../../server/plugins/host.ts'
import { DEFAULT_LIMITS } from '../../server/plugins/settings.ts'
import { fixture, repoRoot, testSettings } from '../support/plugin-host.ts'

const CALLS = 2000
const WARMUP = 200

function context(config: Record<string, unknown>): NodeContext {
  return {
    runId: 'bench',
    flowId: 'bench',
    node: { id: 'n', type: 'bench-echo', label: '' },
    config,
    variables: {},
    targets: { accounts: [], regions: [] },
    runInput: undefined,
    signal: new AbortController().signal,
    log() {},
    partial() {},
    resolve: (value, item) => resolveExpressions(value, { variables: {}, item }),
    now: () => new Date(),
    services: {},
  }
}

async function time(label: string, run: () => Promise<PortItems>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await run()
  const samples: number[] = []
  for (let i = 0; i < CALLS; i++) {
    const start = performance.now()
    await run()
    samples.push(performance.now() - start)
  }
  samples.sort((a, b) => a - b)
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length
  const at = (q: number) => samples[Math.floor(q * (samples.length - 1))]!.toFixed(3)
  console.log(`  ${label.padEnd(28)} mean ${mean.toFixed(3)} ms  p50 ${at(0.5)}  p99 ${at(0.99)}`)
  return [mean, samples[Math.floor(0.5 * (samples.length - 1))]!]
}

/** One isolated plugin call (host -> worker process -> host) against the same plugin in-process. */
export async function bench(): Promise<void> {
  console.log(`plugins: ${CALLS} sequential calls of a small node (10 items in, 10 out), pool warm`)
  const input = { in: Array.from({ length: 10 }, (_, i) => ({ name: `item-${i}`, n: i })) }
  const config = { template: 'hello {{ obj.name }}' }

  const inProcess = (await import(pathToFileURL(fixture('plugins/bench-echo/echo.js')).href)).default
  const [inProcessMean, inProcessMedian] = await time('in-process', () =>
    inProcess.execute(context(config), input)
  )

  const settings = await testSettings()
  const registry = createRegistry()
  const startedAt = performance.now()
  const host = await loadPlugins({
    registry,
    settings: {
      ...settings,
      baseDir: repoRoot,
      limits: { ...DEFAULT_LIMITS, maxWorkers: 1 },
      entries: [{ source: fixture('plugins/bench-echo'), hosts: [] }],
    },
  })
  console.log(`  plugin load (cold worker)    ${(performance.now() - startedAt).toFixed(0)} ms`)
  const isolated = registry.get('bench-echo')!
  const parsed = isolated.config.parse(config)
  const [isolatedMean, isolatedMedian] = await time('isolated (worker process)', () =>
    isolated.execute(context(parsed), input)
  )
  // The median is the honest figure on a shared machine; the mean carries other processes' noise.
  const overhead = isolatedMedian! - inProcessMedian!
  console.log(
    `  overhead per call            ${overhead.toFixed(3)} ms median, ${(isolatedMean! - inProcessMean!).toFixed(3)} ms mean (target < 1 ms)`
  )
  const pid = host.list().length > 0 ? await workerRss() : undefined
  if (pid) console.log(`  worker RSS                   ${pid}`)
  await host.close()
  await settings.cleanup()
}

/** RSS of this process's plugin workers, from /proc (Linux). */
async function workerRss(): Promise<string | undefined> {
  const children = await readFile(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').catch(() => '')
  const sizes: string[] = []
  for (const pid of children.trim().split(/\s+/).filter(Boolean)) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    if (!cmdline.includes('runtime.mjs')) continue
    const statm = await readFile(`/proc/${pid}/statm`, 'utf8')
    sizes.push(`${((Number(statm.split(' ')[1]) * 4096) / 1048576).toFixed(0)} MB`)
  }
  return sizes.length > 0 ? sizes.join(', ') : undefined
}
