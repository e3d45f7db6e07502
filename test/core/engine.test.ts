import { describe, expect, it } from 'vitest'
import { createEngine, type RunRequest } from '../../core/engine/engine.ts'
import { createRegistry } from '../../core/plugin/registry.ts'
import type { RunEvent } from '../../core/run/events.ts'
import { flow } from '../support/flows.ts'
import { builtinAndTestPlugins } from '../support/plugins.ts'

const registry = createRegistry(builtinAndTestPlugins)

function run(request: Omit<RunRequest, 'runId'>, deps: { defaultTimeoutMs?: number } = {}) {
  const events: RunEvent[] = []
  const engine = createEngine({ registry, ...deps })
  const result = engine.run({ runId: 'run-1', onEvent: (event) => events.push(event), ...request })
  return { result, events }
}

const stepOf = (result: Awaited<ReturnType<typeof run>['result']>, id: string) =>
  result.steps.find((step) => step.nodeId === id)!

describe('engine', () => {
  it('passes the run input through the trigger', async () => {
    const { result } = run({ flow: flow([['t', 'trigger']], []), input: { a: 1 } })
    const done = await result
    expect(done.status).toBe('succeeded')
    expect(stepOf(done, 't').output).toEqual({ out: [{ a: 1 }] })
  })

  it('runs nodes in dependency order and routes items by port', async () => {
    const f = flow(
      [
        ['t', 'trigger'],
        ['make', 'test-emit', { count: 4 }],
        ['split', 'test-split'],
        ['addEven', 'test-add', { step: 10 }],
        ['addOdd', 'test-add', { step: 100 }],
      ],
      [
        ['t', 'make'],
        ['make', 'split'],
        ['split', 'addEven', 'even'],
        ['split', 'addOdd', 'odd'],
      ]
    )
    // make gives n = 0, 1, 2, 3: two even, two odd.
    const done = await run({ flow: f }).result
    expect(done.status).toBe('succeeded')
    expect(stepOf(done, 'addEven').output.out?.map((item) => item.n)).toEqual([10, 12])
    expect(stepOf(done, 'addOdd').input.in?.map((item) => item.n)).toEqual([1, 3])
    expect(stepOf(done, 'addOdd').output.out?.map((item) => item.n)).toEqual([101, 103])
  })

  it('gives a node the items of all its inputs', async () => {
    const f = flow(
      [
        ['t', 'trigger'],
        ['a', 'test-add', { step: 1 }],
        ['b', 'test-add', { step: 2 }],
        ['c', 'test-add', { step: 3 }],
        ['join', 'test-join'],
      ],
      [
        ['t', 'a'],
        ['t', 'b'],
        ['t', 'c'],
        ['a', 'join', 'out', 'a'],
        ['b', 'join', 'out', 'b'],
        ['c', 'join', 'out', 'a'],
      ]
    )
    const done = await run({ flow: f }).result
    const joined = stepOf(done, 'join').output.out!.map((item) => item.n)
    expect(joined).toEqual([1, 3, 2])
  })

  it('runs independent branches concurrently', async () => {
    const f = flow(
      [
        ['t', 'trigger'],
        ['s1', 'test-wait', { ms: 150 }],
        ['s2', 'test-wait', { ms: 150 }],
        ['s3', 'test-wait', { ms: 150 }],
      ],
      [
        ['t', 's1'],
        ['t', 's2'],
        ['t', 's3'],
      ]
    )
    const done = await run({ flow: f }).result
    const starts = ['s1', 's2', 's3'].map((id) => stepOf(done, id).startedAt!)
    const ends = ['s1', 's2', 's3'].map((id) => stepOf(done, id).finishedAt!)
    // Every branch started before any finished: they overlapped.
    expect(Math.max(...starts)).toBeLessThan(Math.min(...ends))
  })

  it('fails the downstream of a failed node but not its siblings', async () => {
    const f = flow(
      [
        ['t', 'trigger'],
        ['bad', 'test-fail'],
        ['after', 'test-add'],
        ['sibling', 'test-add'],
        ['siblingChild', 'test-add'],
      ],
      [
        ['t', 'bad'],
        ['bad', 'after'],
        ['t', 'sibling'],
        ['sibling', 'siblingChild'],
      ]
    )
    const { result, events } = run({ flow: f })
    const done = await result
    expect(done.status).toBe('failed')
    expect(done.error?.message).toContain('bad')
    expect(stepOf(done, 'bad')).toMatchObject({ status: 'failed', error: { message: 'told to fail' } })
    expect(stepOf(done, 'after')).toMatchObject({ status: 'failed', error: { code: 'UPSTREAM_FAILED' } })
    expect(stepOf(done, 'sibling').status).toBe('succeeded')
    expect(stepOf(done, 'siblingChild').status).toBe('succeeded')
    expect(events.find((event) => event.type === 'node.failed' && event.nodeId === 'bad')).toBeDefined()
    expect(events.find((event) => event.type === 'node.failed' && event.nodeId === 'after')).toBeDefined()
    expect(events.some((event) => event.type === 'node.failed' && event.nodeId === 'sibling')).toBe(false)
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'failed' })
  })

  it('stops a node at its time limit even when it ignores its signal', async () => {
    const f = flow(
      [
        ['t', 'trigger'],
        ['hang', 'test-hang'],
      ],
      [['t', 'hang']]
    )
    f.nodes[1]!.timeoutMs = 50
    const started = Date.now()
    const done = await run({ flow: f }).result
    expect(Date.now() - started).toBeLessThan(2000)
    expect(stepOf(done, 'hang')).toMatchObject({ status: 'failed', error: { code: 'NODE_TIMEOUT' } })
  })

  it('uses the engine default time limit when the node sets none', async () => {
    const f = flow(
      [
        ['t', 'trigger'],
        ['slow', 'test-wait', { ms: 5000 }],
      ],
      [['t', 'slow']]
    )
    const done = await run({ flow: f }, { defaultTimeoutMs: 30 }).result
    expect(stepOf(done, 'slow').error?.code).toBe('NODE_TIMEOUT')
  })

  it('cancels a running node and everything after it', async () => {
    const f = flow(
      [
        ['t', 'trigger'],
        ['slow', 'test-wait', { ms: 5000 }],
        ['after', 'test-add'],
      ],
      [
        ['t', 'slow'],
        ['slow', 'after'],
      ]
    )
    const controller = new AbortController()
    const { result } = run({ flow: f, signal: controller.signal })
    setTimeout(() => controller.abort(), 30)
    const done = await result
    expect(done.status).toBe('cancelled')
    expect(stepOf(done, 'slow').status).toBe('cancelled')
    expect(stepOf(done, 'after').status).toBe('cancelled')
  })

  it('runs only the chosen node and its ancestors with until', async () => {
    const f = flow(
      [
        ['t', 'trigger'],
        ['a', 'test-add'],
        ['b', 'test-add'],
        ['c', 'test-add'],
      ],
      [
        ['t', 'a'],
        ['a', 'b'],
        ['t', 'c'],
      ]
    )
    const { result, events } = run({ flow: f, until: 'b' })
    const done = await result
    expect(done.steps.map((step) => step.nodeId).sort()).toEqual(['a', 'b', 't'])
    expect(events[0]).toMatchObject({ type: 'run.started', nodeIds: ['t', 'a', 'b'] })
  })

  it('refuses an until node the flow does not have', async () => {
    await expect(run({ flow: flow([['t', 'trigger']], []), until: 'nope' }).result).rejects.toThrow(/nope/)
  })

  it('resolves $wf.variables in config and obj. paths per item', async () => {
    const f = flow(
      [
        ['t', 'trigger'],
        [
          'a',
          'test-add',
          { step: '$wf.variables.step', label: 'item {{ obj.i }} of {{ $wf.variables.owner }}' },
        ],
      ],
      [['t', 'a']],
      {
        variables: [
          { name: 'step', type: 'number', value: 5 },
          { name: 'owner', type: 'string', value: 'sec' },
        ],
      }
    )
    const done = await run({ flow: f, input: { i: 7 }, variables: { step: '6' } }).result
    expect(stepOf(done, 'a').output.out).toEqual([{ i: 7, n: 6, label: 'item 7 of sec' }])
  })

  it('rejects variable overrides the flow does not declare or that do not fit their type', async () => {
    const f = flow([['t', 'trigger']], [], { variables: [{ name: 'n', type: 'number', value: 1 }] })
    await expect(run({ flow: f, variables: { other: 1 } }).result).rejects.toThrow(/variables\.other/)
    await expect(run({ flow: f, variables: { n: 'many' } }).result).rejects.toThrow(
      /variables\.n: expected a number/
    )
  })

  it('fails a node whose config does not fit its schema, naming the field', async () => {
    const f = flow(
      [
        ['t', 'trigger'],
        ['a', 'test-add', { step: 'lots' }],
      ],
      [['t', 'a']]
    )
    const done = await run({ flow: f }).result
    expect(stepOf(done, 'a')).toMatchObject({ status: 'failed', error: { code: 'CONFIG_INVALID' } })
    expect(stepOf(done, 'a').error?.message).toMatch(/^step:/)
  })

  it('fails a node whose plugin is missing, naming the type', async () => {
    const f = flow(
      [
        ['t', 'trigger'],
        ['x', 'community-thing'],
      ],
      [['t', 'x']]
    )
    const done = await run({ flow: f }).result
    expect(stepOf(done, 'x').error).toMatchObject({ code: 'NODE_TYPE_UNKNOWN' })
    expect(stepOf(done, 'x').error?.message).toContain('community-thing')
  })

  it('marks a node partial when it reports one', async () => {
    const f = flow(
      [
        ['t', 'trigger'],
        ['p', 'test-partial'],
      ],
      [['t', 'p']]
    )
    const { result, events } = run({ flow: f })
    const done = await result
    expect(done.status).toBe('succeeded')
    expect(stepOf(done, 'p')).toMatchObject({ status: 'partial', warning: { message: 'one region failed' } })
    expect(events.find((event) => event.type === 'node.finished' && event.nodeId === 'p')).toMatchObject({
      status: 'partial',
    })
  })

  it('emits events in order: run started, node started/finished, run finished', async () => {
    const f = flow(
      [
        ['t', 'trigger'],
        ['a', 'test-add'],
      ],
      [['t', 'a']]
    )
    const { result, events } = run({ flow: f })
    await result
    expect(events.map((event) => `${event.type}${'nodeId' in event ? `:${event.nodeId}` : ''}`)).toEqual([
      'run.started',
      'node.started:t',
      'node.finished:t',
      'node.started:a',
      'node.finished:a',
      'run.finished',
    ])
  })

  it('uses the run targets override over the flow binding', async () => {
    const seen: unknown[] = []
    // Based on a test plugin found by type: the builtin list (and so positions) grows over time.
    const base = builtinAndTestPlugins.find((plugin) => plugin.manifest.type === 'test-add')!
    const probe = { ...base, manifest: { ...base.manifest, type: 'probe' } }
    probe.execute = async (ctx) => {
      seen.push(ctx.targets)
      return {}
    }
    const engine = createEngine({ registry: createRegistry([...builtinAndTestPlugins, probe]) })
    const f = flow(
      [
        ['t', 'trigger'],
        ['p', 'probe'],
      ],
      [['t', 'p']],
      { accounts: ['demo'], regions: ['us-east-1', 'eu-west-1'] }
    )
    await engine.run({ runId: 'r', flow: f })
    await engine.run({ runId: 'r2', flow: f, targets: { regions: ['ap-south-1'] } })
    expect(seen).toEqual([
      { accounts: ['demo'], regions: ['us-east-1', 'eu-west-1'] },
      { accounts: ['demo'], regions: ['ap-south-1'] },
    ])
  })
})
