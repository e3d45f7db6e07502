import { afterEach, describe, expect, it } from 'vitest'
import type { RunWithSteps, StepRow } from '../../server/repos/runs.ts'
import { followStoredRun } from '../../server/runs/follow-stored.ts'
import { chainFlow, startTestServer, type TestServer } from '../support/runtime-server.ts'
import { parseSse } from '../support/sse.ts'

const servers: TestServer[] = []
afterEach(async () => {
  // The second process shares the first one's folder; the first removes it, so it closes last.
  for (const server of servers.splice(0).reverse()) await server.close()
})

/** A process that executes runs, and an API-only one (`QFLOW_WORKERS=0`) on the same file. */
async function workerAndApi(): Promise<[TestServer, TestServer]> {
  const worker = await startTestServer()
  servers.push(worker)
  const api = await startTestServer({ dir: worker.dir, runtime: { queue: { concurrency: 0 } } })
  servers.push(api)
  return [worker, api]
}

const SLOW_THEN_EMIT = chainFlow('f1', {}, [
  ['test-wait', { ms: 400 }],
  ['test-emit', { count: 2 }],
])

describe('live run events on a process that does not execute the run', () => {
  it('follows a run executed by another process from the database, to run.finished', async () => {
    const [worker, api] = await workerAndApi()
    await api.call('POST', '/api/flows', { body: SLOW_THEN_EMIT })
    const { id } = (await worker.call('POST', '/api/flows/f1/runs')).body
    const response = await api.call('GET', `/api/runs/${id}/events`)
    const events = parseSse(typeof response.body === 'string' ? response.body : '')
    expect(events[0]!.event).toBe('snapshot')
    expect(events.at(-1)).toMatchObject({ event: 'run.finished', data: { status: 'succeeded', runId: id } })
    const finished = events.filter((e) => e.event === 'node.finished').map((e) => e.data.nodeId)
    expect(new Set(finished)).toEqual(new Set(['trigger', 'n1', 'n2']))
    expect(events.find((e) => e.event === 'node.finished' && e.data.nodeId === 'n2')?.data).toMatchObject({
      outputCount: 2,
      outputCounts: { out: 2 },
    })
    // Each node's start comes before its end.
    for (const nodeId of ['n1', 'n2']) {
      const started = events.findIndex((e) => e.event === 'node.started' && e.data.nodeId === nodeId)
      const ended = events.findIndex((e) => e.event === 'node.finished' && e.data.nodeId === nodeId)
      if (started >= 0) expect(started).toBeLessThan(ended)
    }
  })

  it('follows a run queued on an API-only process until another process has run it', async () => {
    const [worker, api] = await workerAndApi()
    await api.call('POST', '/api/flows', { body: SLOW_THEN_EMIT })
    const { id } = (await api.call('POST', '/api/flows/f1/runs')).body
    const streamed = api.call('GET', `/api/runs/${id}/events`)
    // Nobody has claimed it yet; the worker takes it up now.
    expect((await api.ctx.runs.get(id))?.status).toBe('queued')
    worker.ctx.queue.worker.poke()
    const events = parseSse((await streamed).body)
    expect(events[0]).toMatchObject({ event: 'snapshot', data: { status: 'queued' } })
    expect(events.some((e) => e.event === 'run.started')).toBe(true)
    expect(events.at(-1)).toMatchObject({ event: 'run.finished', data: { status: 'succeeded' } })
  })
})

describe('following a stored run', () => {
  // Only the fields the follower reads.
  const step = (nodeId: string, patch: Partial<StepRow> = {}) =>
    ({ nodeId, status: 'pending', startedAt: null, finishedAt: null, ...patch }) as StepRow
  const run = (patch: Partial<RunWithSteps>): RunWithSteps =>
    ({
      id: 'r1',
      flowId: 'f1',
      flowVersion: 1,
      status: 'running',
      attempts: 1,
      leaseOwner: 'a',
      startedAt: 1,
      finishedAt: null,
      error: null,
      steps: [],
      ...patch,
    }) as RunWithSteps

  async function collect(reads: RunWithSteps[]) {
    const [initial, ...rest] = reads
    const out = []
    for await (const change of followStoredRun(async () => rest.shift(), initial!, {
      stopped: () => false,
      sleep: async () => {},
    }))
      out.push(
        change.kind === 'snapshot'
          ? 'snapshot'
          : `${change.event.type}${'nodeId' in change.event ? `:${change.event.nodeId}` : ''}`
      )
    return out
  }

  it('sends a fresh snapshot when the run was handed back and started over elsewhere', async () => {
    const running = step('n1', { status: 'running', startedAt: 2 })
    expect(
      await collect([
        run({ steps: [step('n1', { status: 'succeeded', startedAt: 2, finishedAt: 3 })] }),
        // Handed back and claimed again between two reads: another owner, steps from nothing.
        run({ leaseOwner: 'b', steps: [running] }),
        run({
          leaseOwner: 'b',
          status: 'succeeded',
          finishedAt: 9,
          steps: [step('n1', { status: 'succeeded', startedAt: 2, finishedAt: 8 })],
        }),
      ])
    ).toEqual(['snapshot', 'node.finished:n1', 'run.finished'])
  })

  it('ends when the run is deleted', async () => {
    expect(await collect([run({})])).toEqual([])
  })
})
