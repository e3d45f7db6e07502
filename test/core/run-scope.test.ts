import { describe, expect, it } from 'vitest'
import { problemsBlockingRun } from '../../core/flow/run-scope.ts'
import { validateFlow } from '../../core/flow/validate.ts'
import { createRegistry } from '../../core/plugin/registry.ts'
import { flow } from '../support/flows.ts'
import { builtinAndTestPlugins } from '../support/plugins.ts'

const registry = createRegistry(builtinAndTestPlugins)
const codes = (problems: { code: string; nodeId?: string }[]) =>
  problems.map((problem) => `${problem.code}${problem.nodeId ? `@${problem.nodeId}` : ''}`)

// t -> a -> b (b's config is wrong), and t -> c: the usual state while building a flow.
const building = flow(
  [
    ['t', 'trigger'],
    ['a', 'test-add'],
    ['b', 'test-add', { step: 'x' }],
    ['c', 'test-add'],
  ],
  [
    ['t', 'a'],
    ['a', 'b'],
    ['t', 'c'],
  ]
)

describe('problemsBlockingRun', () => {
  it('blocks a whole run on any problem', () => {
    const problems = validateFlow(building, registry)
    expect(codes(problemsBlockingRun(building, problems))).toEqual(['CONFIG_INVALID@b'])
  })

  it('ignores problems after the until node: those nodes do not run', () => {
    const problems = validateFlow(building, registry)
    expect(problemsBlockingRun(building, problems, 'a')).toEqual([])
    expect(problemsBlockingRun(building, problems, 'c')).toEqual([])
    expect(codes(problemsBlockingRun(building, problems, 'b'))).toEqual(['CONFIG_INVALID@b'])
  })

  it('keeps edge problems of edges feeding a node that runs, and drops the others', () => {
    const f = flow(
      [
        ['t', 'trigger'],
        ['a', 'test-add'],
        ['b', 'test-add'],
      ],
      [
        ['t', 'a'],
        ['ghost', 'a'],
        ['a', 'b', 'out', 'wrong'],
      ]
    )
    const problems = validateFlow(f, registry)
    expect(codes(problemsBlockingRun(f, problems, 'a'))).toEqual(['EDGE_SOURCE_MISSING'])
    expect(codes(problemsBlockingRun(f, problems, 'b')).sort()).toEqual([
      'EDGE_PORT_MISSING@b',
      'EDGE_SOURCE_MISSING',
    ])
  })

  it('keeps problems of the whole flow: a cycle, a second trigger, no trigger', () => {
    const cyclic = flow(
      [
        ['t', 'trigger'],
        ['a', 'test-add'],
        ['x', 'test-add'],
        ['y', 'test-add'],
      ],
      [
        ['t', 'a'],
        ['t', 'x'],
        ['x', 'y'],
        ['y', 'x'],
      ]
    )
    expect(codes(problemsBlockingRun(cyclic, validateFlow(cyclic, registry), 'a'))).toEqual([
      'CYCLE@x',
      'CYCLE@y',
    ])
    const twoTriggers = flow(
      [
        ['t', 'trigger'],
        ['u', 'trigger'],
        ['a', 'test-add'],
      ],
      [['t', 'a']]
    )
    expect(codes(problemsBlockingRun(twoTriggers, validateFlow(twoTriggers, registry), 'a'))).toContain(
      'TRIGGER_MULTIPLE@u'
    )
    const headless = flow([['a', 'test-add']], [])
    expect(codes(problemsBlockingRun(headless, validateFlow(headless, registry), 'a'))).toEqual([
      'TRIGGER_MISSING',
    ])
  })

  it('an empty flow has no trigger, so it is not valid', () => {
    expect(codes(validateFlow(flow([], []), registry))).toEqual(['TRIGGER_MISSING'])
  })
})
