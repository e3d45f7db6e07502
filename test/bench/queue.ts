import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRegistry } from '../../core/plugin/registry.ts'
import { loadConfig } from '../../server/config.ts'
import { startServer } from '../../server/server.ts'
import { builtinAndTestPlugins } from '../support/plugins.ts'
import { chainFlow } from '../support/runtime-server.ts'
import { spawnServe } from '../support/serve-process.ts'
import { percentile } from './stats.ts'

/**
 * The run queue over HTTP.
 *
 * Acceptance: a `qflow serve` process (its own core, workers off so only acceptance is measured)
 * takes run requests from 32 keep-alive connections; every 202 means the run row is committed to
 * the libSQL file. Printed: requests per second, latency percentiles and the server's CPU time per
 * request (on a shared machine the wall-clock figures follow the neighbours' load; CPU does not).
 *
 * Soak: an in-process server with deployed flows firing every second (real clock) for
 * QFLOW_BENCH_SOAK_MINUTES (10 by default; e.g. 0.5 for a quick check); heap and RSS are printed
 * at the start, each minute and at the end, after a GC when node runs with --expose-gc.
 */
export async function bench(): Promise<void> {
  await acceptance()
  await soak()
}

const TOKEN = 'bench-admin-token-0123456789'
/** Clients in flight at once: a busy connector fleet, not a denial of service. */
const CONNECTIONS = 32

/** CPU time (user + system) a process has used, in ms, from /proc (Linux). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
  return ((Number(fields[11]) + Number(fields[12])) / 100) * 1000
}

async function acceptance() {
  const dir = mkdtempSync(join(tmpdir(), 'qflow-bench-queue-'))
  const server = await spawnServe({
    QFLOW_DB_URL: `file:${join(dir, 'qflow.db')}`,
    QFLOW_ADMIN_TOKEN: TOKEN,
    QFLOW_WORKERS: '0',
    QFLOW_QUEUE_LIMIT: '10000000',
  })
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS })
  try {
    await post(agent, server.url, '/api/flows', JSON.stringify(chainFlow('bench')))
    for (const [label, total, keyed] of [
      ['warm-up', 2000, false],
      ['run requests, no key', 10_000, false],
      ['run requests, Idempotency-Key', 10_000, true],
    ] as const) {
      const latencies: number[] = []
      let next = 0
      const cpuBefore = cpuMsOf(server.child.pid!)
      const started = performance.now()
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          while (next < total) {
            const i = next++
            const t = performance.now()
            const status = await post(
              agent,
              server.url,
              '/api/flows/bench/runs',
              '{"input":{"n":1}}',
              keyed ? `bench-${i}` : undefined
            )
            if (status !== 202) throw new Error(`run request answered ${status}`)
            latencies.push(performance.now() - t)
          }
        })
      )
      const elapsed = performance.now() - started
      const serverCpu = (cpuMsOf(server.child.pid!) - cpuBefore) / total
      if (label === 'warm-up') continue
      console.log(
        `${label.padEnd(34)} ${((total / elapsed) * 1000).toFixed(0).padStart(6)} accepted/s   p50 ${percentile(latencies, 50).toFixed(2)} ms   p99 ${percentile(latencies, 99).toFixed(2)} ms   server cpu ${serverCpu.toFixed(3)} ms/request   (${total} over ${CONNECTIONS} connections, stored before 202)`
      )
    }
  } finally {
    agent.destroy()
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

function post(agent: Agent, base: string, path: string, body: string, key?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${TOKEN}`,
          ...(key ? { 'idempotency-key': key } : {}),
        },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

async function soak() {
  const minutes = Number(process.env.QFLOW_BENCH_SOAK_MINUTES ?? 10)
  const dir = mkdtempSync(join(tmpdir(), 'qflow-bench-soak-'))
  const server = await startServer(
    loadConfig({ PORT: '0', QFLOW_DB_URL: `file:${join(dir, 'qflow.db')}`, QFLOW_LOG_LEVEL: 'warn' }),
    { registry: createRegistry(builtinAndTestPlugins) }
  )
  const flows = 10
  try {
    for (let i = 0; i < flows; i++) {
      const flow = { ...chainFlow(`soak-${i}`, { kind: 'cron', expression: '* * * * * *' }), deployed: true }
      const response = await fetch(`${server.url}/api/flows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(flow),
      })
      if (response.status !== 201) throw new Error(`creating a soak flow answered ${response.status}`)
    }
    const memory = () => {
      ;(globalThis as { gc?: () => void }).gc?.()
      const { heapUsed, rss } = process.memoryUsage()
      return `heap ${(heapUsed / 1048576).toFixed(1)} MiB, rss ${(rss / 1048576).toFixed(1)} MiB`
    }
    const finished = async () =>
      Number(
        (
          await server.ctx.database.client.execute(
            "SELECT count(*) AS n FROM runs WHERE status = 'succeeded'"
          )
        ).rows[0]!.n
      )
    console.log(`soak: ${flows} flows firing every second for ${minutes} min; start: ${memory()}`)
    const started = Date.now()
    const end = started + minutes * 60_000
    while (Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(60_000, end - Date.now())))
      const elapsed = ((Date.now() - started) / 60_000).toFixed(1)
      console.log(`soak: ${elapsed} min, ${await finished()} runs finished, ${memory()}`)
    }
    const queued = await server.ctx.queue.claims.queuedCount()
    console.log(`soak: end: ${await finished()} runs finished, ${queued} waiting, ${memory()}`)
  } finally {
    await server.close(2000)
    rmSync(dir, { recursive: true, force: true })
  }
}
