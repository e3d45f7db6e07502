import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sampleFlow, startTestServer, type TestServer } from '../support/server.ts'
import { parseSse } from '../support/sse.ts'

let server: TestServer
beforeEach(async () => {
  server = await startTestServer()
})
afterEach(async () => {
  await server.close()
})

async function createFlow(overrides = {}) {
  const response = await server.call('POST', '/api/flows', sampleFlow(overrides))
  return ((await response.json()) as any).flow.id as string
}

async function startRun(flowId: string, body: unknown = {}) {
  const response = await server.call('POST', `/api/flows/${flowId}/runs`, body)
  expect(response.status).toBe(202)
  return (await response.json()) as any
}

describe('starting runs', () => {
  it('answers 202 with the run stored as queued, then executes it', async () => {
    const flowId = await createFlow()
    const accepted = await startRun(flowId, { input: { source: 'test' } })
    expect(accepted).toMatchObject({ status: 'queued', flowId, flowVersion: 1, triggeredBy: 'api' })
    // Stored before the answer: readable right away, before the run had a chance to start.
    const stored = (await (await server.call('GET', `/api/runs/${accepted.id}`)).json()) as any
    expect(stored.id).toBe(accepted.id)
    const run = await server.waitForRun(accepted.id)
    expect(run.status).toBe('succeeded')
    expect(run.input).toEqual({ source: 'test' })
    expect(run.steps.map((s: any) => [s.nodeId, s.status, s.inputCount, s.outputCount])).toEqual([
      ['trigger', 'succeeded', 0, 1],
      ['emit', 'succeeded', 1, 3],
      ['map', 'succeeded', 3, 3],
      ['control', 'succeeded', 3, 6],
    ])
    const emit = run.steps[1]
    expect(emit.outputPreview.ports.out[0]).toEqual({ n: 0, tag: 'hello' })
    expect(emit.outputCounts).toEqual({ out: 3 })
    expect(typeof emit.durationMs).toBe('number')
  })

  it('applies variables, the until node, and account/region overrides for this run only', async () => {
    const flowId = await createFlow({ accounts: ['111111111111'], regions: ['us-east-1'] })
    // A run may only name accounts that exist.
    const account = await server.call('POST', '/api/accounts', {
      id: '222222222222',
      name: 'other',
      kind: 'snapshot',
      files: { 'rds.DescribeDBInstances.json': { DBInstances: [] } },
    })
    expect(account.status).toBe(201)
    const accepted = await startRun(flowId, {
      variables: { label: 'override' },
      until: 'emit',
      accounts: ['222222222222'],
      regions: ['eu-west-1'],
    })
    const run = await server.waitForRun(accepted.id)
    expect(run).toMatchObject({
      status: 'succeeded',
      until: 'emit',
      accounts: ['222222222222'],
      regions: ['eu-west-1'],
    })
    expect(run.steps.map((s: any) => s.nodeId)).toEqual(['trigger', 'emit'])
    expect(run.steps[1].outputPreview.ports.out[0].tag).toBe('override')
    const flow = (await (await server.call('GET', `/api/flows/${flowId}`)).json()) as any
    expect(flow.flow.accounts).toEqual(['111111111111'])
  })

  it('refuses runs of invalid flows (400 FLOW_INVALID with problems) and stores nothing', async () => {
    const flowId = await createFlow({
      nodes: [{ id: 'lonely', type: 'test-emit', typeVersion: 1 }],
      edges: [],
    })
    const response = await server.call('POST', `/api/flows/${flowId}/runs`, {})
    expect(response.status).toBe(400)
    const body = (await response.json()) as any
    expect(body.error.code).toBe('FLOW_INVALID')
    expect(body.error.details.problems[0].code).toBe('TRIGGER_MISSING')
    const history = (await (await server.call('GET', `/api/flows/${flowId}/runs`)).json()) as any
    expect(history.total).toBe(0)
  })

  it('runs till a node while a node after it is still half-configured, and refuses the whole run', async () => {
    // The user is building the flow: the control after "emit" has no criteria yet.
    const base = sampleFlow()
    const flowId = await createFlow({
      nodes: base.nodes!.map((node) => (node.id === 'control' ? { ...node, config: {} } : node)),
    })
    const whole = await server.call('POST', `/api/flows/${flowId}/runs`, {})
    expect(whole.status).toBe(400)
    const refused = ((await whole.json()) as any).error
    expect(refused.code).toBe('FLOW_INVALID')
    expect(refused.details.problems.map((p: any) => [p.nodeId, p.field])).toEqual([['control', 'criteria']])
    const run = await server.waitForRun((await startRun(flowId, { until: 'map' })).id)
    expect(run.status).toBe('succeeded')
    expect(run.steps.map((s: any) => s.nodeId)).toEqual(['trigger', 'emit', 'map'])
    // Till the broken node itself is refused, naming the scope.
    const tillControl = await server.call('POST', `/api/flows/${flowId}/runs`, { until: 'control' })
    expect(tillControl.status).toBe(400)
    expect(((await tillControl.json()) as any).error.message).toMatch(/nodes up to "control"/)
  })

  it('lists bad run variables as {field, message} issues, as other input checks do', async () => {
    const flowId = await createFlow()
    const response = await server.call('POST', `/api/flows/${flowId}/runs`, {
      variables: { label: 5, nope: 1 },
    })
    expect(response.status).toBe(400)
    const { error } = (await response.json()) as any
    expect(error.code).toBe('VARIABLES_INVALID')
    expect(error.message).toBe(
      'variables.label: expected a string; variables.nope: the flow declares no variable "nope"'
    )
    expect(error.details.issues).toEqual([
      { field: 'variables.label', message: 'expected a string' },
      { field: 'variables.nope', message: 'the flow declares no variable "nope"' },
    ])
  })

  it('records overrides as the values the run used: "5" for a number is 5', async () => {
    const flowId = await createFlow({ variables: [{ name: 'n', type: 'number', value: 1 }] })
    const started = await startRun(flowId, { variables: { n: '5' } })
    const run = await server.waitForRun(started.id)
    expect(run.variables).toEqual({ n: 5 })
    const hex = await server.call('POST', `/api/flows/${flowId}/runs`, { variables: { n: '0x10' } })
    expect(hex.status).toBe(400)
    expect(((await hex.json()) as any).error.message).toBe('variables.n: expected a number')
  })

  it('refuses bad run requests, naming the field', async () => {
    const flowId = await createFlow()
    const cases: [unknown, string, RegExp][] = [
      [{ until: 'nowhere' }, 'UNTIL_UNKNOWN', /^until:/],
      [
        { variables: { nope: 1 } },
        'VARIABLES_INVALID',
        /^variables\.nope: the flow declares no variable "nope"/,
      ],
      [{ variables: { label: 5 } }, 'VARIABLES_INVALID', /^variables\.label: expected a string/],
      // As sent on the wire: a `__proto__` key would vanish in any copy, so it is refused by name.
      [
        '{"variables": {"__proto__": {"label": "x"}}}',
        'VALIDATION_FAILED',
        /^variables\.__proto__: not an allowed variable name/,
      ],
      [
        { variables: { constructor: 'x' } },
        'VALIDATION_FAILED',
        /^variables\.constructor: not an allowed variable name/,
      ],
      [
        { variables: { 'la-bel': 'x' } },
        'VALIDATION_FAILED',
        /^variables\.la-bel: a variable name is letters/,
      ],
      [{ accounts: 'x' }, 'VALIDATION_FAILED', /^accounts:/],
      [{ regions: [] }, 'VALIDATION_FAILED', /^regions: name at least one/],
      [{ accounts: [] }, 'VALIDATION_FAILED', /^accounts: name at least one/],
      [{ colour: 'red' }, 'VALIDATION_FAILED', /colour/],
      [[1, 2], 'VALIDATION_FAILED', /^body:/],
    ]
    for (const [body, code, message] of cases) {
      const response = await server.call('POST', `/api/flows/${flowId}/runs`, body)
      expect(response.status, JSON.stringify(body)).toBe(400)
      const error = ((await response.json()) as any).error
      expect(error.code).toBe(code)
      expect(error.message).toMatch(message)
    }
  })

  it('records a failed node, fails its downstream, not its sibling branch', async () => {
    const flowId = await createFlow({
      nodes: [
        { id: 'trigger', type: 'trigger', typeVersion: 1 },
        { id: 'boom', type: 'test-fail', typeVersion: 1, config: { message: 'no access' } },
        { id: 'after', type: 'test-map', typeVersion: 1 },
        { id: 'sibling', type: 'test-emit', typeVersion: 1, config: { count: 2 } },
      ],
      edges: [
        { id: 'a', source: 'trigger', target: 'boom' },
        { id: 'b', source: 'boom', target: 'after' },
        { id: 'c', source: 'trigger', target: 'sibling' },
      ],
    })
    const run = await server.waitForRun((await startRun(flowId)).id)
    expect(run.status).toBe('failed')
    expect(run.error.message).toMatch(/boom.*no access/)
    const byId = Object.fromEntries(run.steps.map((s: any) => [s.nodeId, s]))
    expect(byId.boom).toMatchObject({
      status: 'failed',
      error: { code: 'NODE_FAILED', message: 'no access' },
    })
    expect(byId.after).toMatchObject({ status: 'failed', error: { code: 'UPSTREAM_FAILED' } })
    expect(byId.sibling).toMatchObject({ status: 'succeeded', outputCount: 2 })
  })
})

describe('run history', () => {
  it('lists newest first, paged, filtered by status', async () => {
    const flowId = await createFlow()
    const failing = await createFlow({
      id: 'failing',
      nodes: [
        { id: 't', type: 'trigger', typeVersion: 1 },
        { id: 'f', type: 'test-fail', typeVersion: 1 },
      ],
      edges: [{ id: 'e', source: 't', target: 'f' }],
    })
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      const run = await startRun(flowId)
      await server.waitForRun(run.id)
      ids.push(run.id)
    }
    await server.waitForRun((await startRun(failing)).id)
    const page = (await (await server.call('GET', `/api/flows/${flowId}/runs?limit=2`)).json()) as any
    expect(page.total).toBe(3)
    expect(page.items.map((r: any) => r.id)).toEqual([ids[2], ids[1]])
    expect(page.items[0]).not.toHaveProperty('steps')
    expect(page.items[0]).not.toHaveProperty('input')
    const rest = (await (
      await server.call('GET', `/api/flows/${flowId}/runs?limit=2&offset=2`)
    ).json()) as any
    expect(rest.items.map((r: any) => r.id)).toEqual([ids[0]])
    const failed = (await (await server.call('GET', `/api/flows/failing/runs?status=failed`)).json()) as any
    expect(failed.total).toBe(1)
    const none = (await (
      await server.call('GET', `/api/flows/failing/runs?status=succeeded,cancelled`)
    ).json()) as any
    expect(none.total).toBe(0)
    const bad = await server.call('GET', `/api/flows/failing/runs?status=finished`)
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as any).error.message).toMatch(/^status/)
  })

  it('404s unknown runs', async () => {
    expect((await server.call('GET', '/api/runs/nope')).status).toBe(404)
    expect((await server.call('POST', '/api/runs/nope/cancel')).status).toBe(404)
    expect((await server.call('GET', '/api/runs/nope/events')).status).toBe(404)
    expect((await server.call('GET', '/api/runs/nope/steps/x/output')).status).toBe(404)
  })
})

describe('step output', () => {
  /** A finished run of trigger → emit, the emit step putting out 50 items (more than a preview holds). */
  async function runEmitting50() {
    const flowId = await createFlow({
      nodes: [
        { id: 'trigger', type: 'trigger', typeVersion: 1 },
        { id: 'emit', type: 'test-emit', typeVersion: 1, config: { count: 50 } },
      ],
      edges: [{ id: 'e', source: 'trigger', target: 'emit' }],
    })
    return server.waitForRun((await startRun(flowId)).id)
  }

  it('downloads the whole output keyed by port, beyond the preview', async () => {
    const run = await runEmitting50()
    expect(run.steps[1].outputPreview.truncated).toBe(true)
    expect(run.steps[1].outputPreview.ports.out.length).toBeLessThan(50)
    const response = await server.call('GET', `/api/runs/${run.id}/steps/emit/output`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/application\/json/)
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="run-${run.id}-emit-output.json"`
    )
    const output = (await response.json()) as any
    expect(Object.keys(output)).toEqual(['out'])
    expect(output.out).toHaveLength(50)
    expect(output.out[49]).toEqual({ n: 49, tag: 'x' })
    const input = (await (await server.call('GET', `/api/runs/${run.id}/steps/emit/input`)).json()) as any
    expect(input).toEqual({ in: [{}] })
    const missing = await server.call('GET', `/api/runs/${run.id}/steps/nope/output`)
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as any).error.code).toBe('STEP_NOT_FOUND')
  })

  it('pages a step output by port: items from an offset, with every port count and the whole size', async () => {
    const run = await runEmitting50()
    const whole = await (await server.call('GET', `/api/runs/${run.id}/steps/emit/output`)).text()
    const page = await server.call('GET', `/api/runs/${run.id}/steps/emit/output?port=out&offset=45&limit=10`)
    expect(page.status).toBe(200)
    expect(await page.json()).toEqual({
      port: 'out',
      offset: 45,
      limit: 10,
      total: 50,
      items: [45, 46, 47, 48, 49].map((n) => ({ n, tag: 'x' })),
      ports: { out: 50 },
      bytes: Buffer.byteLength(whole),
    })
    // Without a port, the first one.
    const first = (await (
      await server.call('GET', `/api/runs/${run.id}/steps/emit/output?limit=2`)
    ).json()) as any
    expect(first).toMatchObject({ port: 'out', offset: 0, total: 50, items: [{ n: 0 }, { n: 1 }] })
    const noPort = await server.call('GET', `/api/runs/${run.id}/steps/emit/output?port=nope&limit=2`)
    expect(noPort.status).toBe(404)
    expect(((await noPort.json()) as any).error.message).toMatch(/^port:/)
    const tooMany = await server.call('GET', `/api/runs/${run.id}/steps/emit/output?limit=5000`)
    expect(tooMany.status).toBe(400)
    expect(((await tooMany.json()) as any).error.message).toMatch(/limit/)
  })

  it('409s the output of a step still running, and gives {} for a step that failed', async () => {
    const flowId = await createFlow({
      nodes: [
        { id: 'trigger', type: 'trigger', typeVersion: 1 },
        { id: 'wait', type: 'test-wait', typeVersion: 1, config: { ms: 60_000 } },
        { id: 'fail', type: 'test-fail', typeVersion: 1 },
      ],
      edges: [
        { id: 'a', source: 'trigger', target: 'wait' },
        { id: 'b', source: 'trigger', target: 'fail' },
      ],
    })
    const accepted = await startRun(flowId)
    await waitFor(async () => {
      const run = (await (await server.call('GET', `/api/runs/${accepted.id}`)).json()) as any
      return run.steps.find((s: any) => s.nodeId === 'wait')?.status === 'running'
    })
    const running = await server.call('GET', `/api/runs/${accepted.id}/steps/wait/output`)
    expect(running.status).toBe(409)
    expect(((await running.json()) as any).error.code).toBe('STEP_NOT_FINISHED')
    await server.call('POST', `/api/runs/${accepted.id}/cancel`)
    const failed = await server.call('GET', `/api/runs/${accepted.id}/steps/fail/output`)
    expect(await failed.json()).toEqual({})
  })
})

describe('cancel', () => {
  it('aborts a running run; a second cancel is a 409', async () => {
    const flowId = await createFlow({
      nodes: [
        { id: 'trigger', type: 'trigger', typeVersion: 1 },
        { id: 'wait', type: 'test-wait', typeVersion: 1, config: { ms: 60_000 } },
        { id: 'after', type: 'test-map', typeVersion: 1 },
      ],
      edges: [
        { id: 'a', source: 'trigger', target: 'wait' },
        { id: 'b', source: 'wait', target: 'after' },
      ],
    })
    const accepted = await startRun(flowId)
    await waitFor(async () => {
      const run = (await (await server.call('GET', `/api/runs/${accepted.id}`)).json()) as any
      return run.steps.find((s: any) => s.nodeId === 'wait')?.status === 'running'
    })
    const started = Date.now()
    const response = await server.call('POST', `/api/runs/${accepted.id}/cancel`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ id: accepted.id, status: 'cancelled' })
    expect(Date.now() - started).toBeLessThan(5000)
    const run = (await (await server.call('GET', `/api/runs/${accepted.id}`)).json()) as any
    expect(run.status).toBe('cancelled')
    expect(run.steps.map((s: any) => s.status)).toEqual(['succeeded', 'cancelled', 'cancelled'])
    const again = await server.call('POST', `/api/runs/${accepted.id}/cancel`)
    expect(again.status).toBe(409)
    expect(((await again.json()) as any).error).toMatchObject({
      code: 'RUN_FINISHED',
      details: { status: 'cancelled' },
    })
  })
})

describe('cancel before start', () => {
  it('cancels a run accepted but not yet started: no node runs', async () => {
    const flowId = await createFlow()
    const accepted = await startRun(flowId)
    const response = await server.call('POST', `/api/runs/${accepted.id}/cancel`)
    expect(await response.json()).toEqual({ id: accepted.id, status: 'cancelled' })
    const run = (await (await server.call('GET', `/api/runs/${accepted.id}`)).json()) as any
    expect(run.steps.every((s: any) => s.status === 'cancelled')).toBe(true)
    expect(run.steps.every((s: any) => s.startedAt === null)).toBe(true)
  })
})

describe('live events', () => {
  it('sends the current state, then each event as it is stored, and ends with the run', async () => {
    const flowId = await createFlow({
      nodes: [
        { id: 'trigger', type: 'trigger', typeVersion: 1 },
        { id: 'wait', type: 'test-wait', typeVersion: 1, config: { ms: 150 } },
        { id: 'emit', type: 'test-emit', typeVersion: 1, config: { count: 2 } },
      ],
      edges: [
        { id: 'a', source: 'trigger', target: 'wait' },
        { id: 'b', source: 'wait', target: 'emit' },
      ],
    })
    const accepted = await startRun(flowId)
    const response = await server.call('GET', `/api/runs/${accepted.id}/events`)
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/)
    const events = parseSse(await response.text())
    expect(events[0]!.event).toBe('snapshot')
    expect(events[0]!.data.id).toBe(accepted.id)
    expect(events.at(-1)).toMatchObject({ event: 'run.finished', data: { status: 'succeeded' } })
    const finishedEmit = events.find((e) => e.event === 'node.finished' && e.data.nodeId === 'emit')
    expect(finishedEmit?.data).toMatchObject({ outputCount: 2, outputCounts: { out: 2 } })
    expect(finishedEmit?.data).not.toHaveProperty('output')
  })

  it('for a finished run sends the snapshot and ends', async () => {
    const flowId = await createFlow()
    const run = await server.waitForRun((await startRun(flowId)).id)
    const events = parseSse(await (await server.call('GET', `/api/runs/${run.id}/events`)).text())
    expect(events).toHaveLength(1)
    expect(events[0]!.data.status).toBe('succeeded')
    expect(events[0]!.data.steps).toHaveLength(4)
  })
})

async function waitFor(check: () => Promise<boolean>) {
  for (let i = 0; i < 300; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error('condition not met')
}
