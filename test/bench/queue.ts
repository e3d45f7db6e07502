import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRegistry } from '../../core/plugin/registry.ts'
import { loadConfig } from '../../server/config.ts'
import { startServer } from '../../server/server.ts'
import { builtinAndTestPlugins } from '../support/plugins.ts'
import { chainFlow } from '../support/runtime-server.ts'
import { spawnServe } from '../support/serve-process.ts'
import { runLoad } from './http-load.ts'
import { percentile } from './stats.ts'

/**
 * The run queue over HTTP.
 *
 * Acceptance: a `qflow serve` process (workers off so only acceptance is measured) takes run
 * requests from 32 keep-alive connections of a lean raw-socket client (`http-load.ts`, so the
 * client's own CPU takes little from the two cores); every 202 means the run row is committed to
 * the libSQL file. Each kind of request is measured in several rounds, each printed with the load
 * average at the time, then the best round: on a shared machine the wall-clock figures follow the
 * neighbours' load. The server's CPU time per request does not, and is printed too.
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
const REQUESTS_PER_ROUND = 10_000
const ROUNDS = Number(process.env.QFLOW_BENCH_ROUNDS ?? 3)

/** CPU time (user + system) a process has used, in ms, from /proc (Linux). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
  return ((Number(fields[11]) + Number(fields[12])) / 100) * 1000
}

const loadAverage = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')

interface Round {
  rate: number
  p50: number
  p99: number
  serverCpu: number
  clientCpu: number
  load: string
}

const describeRound = (round: Round) =>
  `${round.rate.toFixed(0).padStart(6)} accepted/s   p50 ${round.p50.toFixed(2)} ms   p99 ${round.p99.toFixed(2)} ms   cpu/request: server ${round.serverCpu.toFixed(3)} ms, client ${round.clientCpu.toFixed(3)} ms   load ${round.load}`

async function acceptance() {
  const dir = mkdtempSync(join(tmpdir(), 'qflow-bench-queue-'))
  const server = await spawnServe({
    QFLOW_DB_URL: `file:${join(dir, 'qflow.db')}`,
    QFLOW_ADMIN_TOKEN: TOKEN,
    QFLOW_WORKERS: '0',
    QFLOW_QUEUE_LIMIT: '10000000',
  })
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }
  const measure = async (total: number, key?: (i: number) => string): Promise<Round> => {
    const cpuBefore = cpuMsOf(server.child.pid!)
    const load = loadAverage()
    const result = await runLoad({
      url: server.url,
      connections: CONNECTIONS,
      total,
      request: (i) => ({
        method: 'POST',
        path: '/api/flows/bench/runs',
        headers: key ? { ...headers, 'idempotency-key': key(i) } : headers,
        body: '{"input":{"n":1}}',
      }),
    })
    const refused = [...result.statuses].filter(([status]) => status !== 202)
    if (refused.length > 0) throw new Error(`run requests answered ${JSON.stringify(refused)}`)
    return {
      rate: (total / result.elapsedMs) * 1000,
      p50: percentile(result.latencies, 50),
      p99: percentile(result.latencies, 99),
      serverCpu: (cpuMsOf(server.child.pid!) - cpuBefore) / total,
      clientCpu: result.clientCpuMs / total,
      load,
    }
  }
  try {
    const created = await runLoad({
      url: server.url,
      connections: 1,
      total: 1,
      request: () => ({
        method: 'POST',
        path: '/api/flows',
        headers,
        body: JSON.stringify(chainFlow('bench')),
      }),
    })
    if (!created.statuses.has(201))
      throw new Error(`creating the bench flow answered ${[...created.statuses.keys()]}`)
    await measure(2000) // warm-up: JIT, caches, the database file's first pages
    console.log(
      `run requests over HTTP: ${REQUESTS_PER_ROUND} per round over ${CONNECTIONS} keep-alive connections, each 202 only once the run is committed; best of ${ROUNDS} rounds`
    )
    let batch = 0
    for (const [label, keyed] of [
      ['no key', false],
      ['Idempotency-Key', true],
    ] as const) {
      const rounds: Round[] = []
      for (let i = 0; i < ROUNDS; i++) {
        const prefix = `bench-${++batch}-`
        const round = await measure(REQUESTS_PER_ROUND, keyed ? (n) => prefix + n : undefined)
        rounds.push(round)
        console.log(`  ${label.padEnd(16)} round ${i + 1}: ${describeRound(round)}`)
      }
      const best = rounds.reduce((a, b) => (b.rate > a.rate ? b : a))
      console.log(`${`run requests, ${label}`.padEnd(34)} best: ${describeRound(best)}`)
    }
  } finally {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
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
