import { describe, expect, it } from 'vitest'
import { flowSchema } from '../../core/flow/schema.ts'
import { validateFlow } from '../../core/flow/validate.ts'
import { createRegistry } from '../../core/plugin/registry.ts'
import { flow } from '../support/flows.ts'
import { builtinAndTestPlugins } from '../support/plugins.ts'

const registry = createRegistry(builtinAndTestPlugins)
const codes = (problems: { code: string }[]) => problems.map((problem) => problem.code)

describe('validateFlow', () => {
  it('accepts a well-formed flow', () => {
    const f = flow(
      [
        ['t', 'trigger'],
        ['a', 'test-add'],
      ],
      [['t', 'a']]
    )
    expect(validateFlow(f, registry)).toEqual([])
  })

  it('reports an unknown node type with the node id', () => {
    const problems = validateFlow(
      flow(
        [
          ['t', 'trigger'],
          ['x', 'nope'],
        ],
        [['t', 'x']]
      ),
      registry
    )
    expect(problems).toEqual([expect.objectContaining({ code: 'NODE_TYPE_UNKNOWN', nodeId: 'x' })])
  })

  it('reports config that fails the plugin schema, naming node and field', () => {
    const problems = validateFlow(
      flow(
        [
          ['t', 'trigger'],
          ['a', 'test-add', { step: 'x' }],
        ],
        [['t', 'a']]
      ),
      registry
    )
    expect(problems).toEqual([
      expect.objectContaining({ code: 'CONFIG_INVALID', nodeId: 'a', field: 'step' }),
    ])
  })

  it('reports nested config fields by dotted path', () => {
    const problems = validateFlow(
      flow([['t', 'trigger', { kind: 'recurrent', every: 0, unit: 'hours' }]], []),
      registry
    )
    expect(problems).toEqual([
      expect.objectContaining({ code: 'CONFIG_INVALID', nodeId: 't', field: 'every' }),
    ])
  })

  it('reports edges to missing nodes and ports', () => {
    const f = flow(
      [
        ['t', 'trigger'],
        ['a', 'test-add'],
      ],
      [
        ['t', 'a'],
        ['t', 'ghost'],
        ['ghost2', 'a'],
        ['t', 'a', 'nosuch', 'in'],
        ['t', 'a', 'out', 'wrong'],
      ]
    )
    const problems = validateFlow(f, registry)
    expect(codes(problems).sort()).toEqual([
      'EDGE_PORT_MISSING',
      'EDGE_PORT_MISSING',
      'EDGE_SOURCE_MISSING',
      'EDGE_TARGET_MISSING',
    ])
    expect(problems.find((p) => p.code === 'EDGE_PORT_MISSING' && p.nodeId === 't')?.message).toContain(
      '"nosuch"'
    )
  })

  it('reports a cycle on the nodes that form it', () => {
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
        ['b', 'a'],
        ['b', 'c'],
      ]
    )
    const cycle = validateFlow(f, registry).filter((p) => p.code === 'CYCLE')
    expect(cycle.map((p) => p.nodeId).sort()).toEqual(['a', 'b'])
  })

  it('requires exactly one trigger', () => {
    expect(codes(validateFlow(flow([['a', 'test-add']], []), registry))).toEqual(['TRIGGER_MISSING'])
    const two = validateFlow(
      flow(
        [
          ['t1', 'trigger'],
          ['t2', 'trigger'],
        ],
        []
      ),
      registry
    )
    expect(two).toEqual([expect.objectContaining({ code: 'TRIGGER_MULTIPLE', nodeId: 't2' })])
  })

  it('reports nodes unreachable from the trigger', () => {
    const f = flow(
      [
        ['t', 'trigger'],
        ['a', 'test-add'],
        ['island', 'test-add'],
      ],
      [['t', 'a']]
    )
    expect(validateFlow(f, registry)).toEqual([
      expect.objectContaining({ code: 'NODE_UNREACHABLE', nodeId: 'island' }),
    ])
  })

  it('returns every problem at once', () => {
    const f = flow(
      [
        ['a', 'test-add', { step: 'x' }],
        ['x', 'nope'],
      ],
      [['a', 'ghost']]
    )
    expect(codes(validateFlow(f, registry)).sort()).toEqual([
      'CONFIG_INVALID',
      'EDGE_TARGET_MISSING',
      'NODE_TYPE_UNKNOWN',
      'TRIGGER_MISSING',
    ])
  })

  it('reports duplicate node ids', () => {
    const f = flow(
      [
        ['t', 'trigger'],
        ['t', 'test-add'],
      ],
      []
    )
    expect(codes(validateFlow(f, registry))).toContain('NODE_ID_DUPLICATE')
  })

  it('checks variable values against their type and names unique, naming the field', () => {
    const issues = (variables: unknown[]) => {
      const parsed = flowSchema.safeParse({ name: 'v', variables })
      return parsed.success
        ? []
        : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    }
    expect(issues([{ name: 'b', type: 'boolean', value: 'yes' }])).toEqual([
      'variables.0.value: expected true or false for a boolean variable',
    ])
    expect(issues([{ name: 'l', type: 'list', value: 'notalist' }])[0]).toMatch(/^variables\.0\.value: /)
    expect(issues([{ name: 's', type: 'string', value: 5 }])[0]).toMatch(/^variables\.0\.value: /)
    expect(
      issues([
        { name: 's', type: 'string', value: 'a' },
        { name: 's', type: 'string', value: 'b' },
      ])
    ).toEqual(['variables.1.name: "s" is already the name of variables.0'])
    // What a run override may be, a default may be: text for numbers, JSON text for lists.
    expect(
      issues([
        { name: 'n', type: 'number', value: '5' },
        { name: 'f', type: 'boolean', value: false },
        { name: 'l', type: 'list', value: '[1]' },
        { name: 'j', type: 'json', value: { a: 1 } },
      ])
    ).toEqual([])
  })

  it('names the field of a malformed document through the schema', () => {
    const parsed = flowSchema.safeParse({ name: 'x', nodes: [{ id: 'a', type: 't', typeVersion: 'one' }] })
    expect(parsed.success).toBe(false)
    expect(parsed.error?.issues[0]?.path).toEqual(['nodes', 0, 'typeVersion'])
  })
})
