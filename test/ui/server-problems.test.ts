import { describe, expect, it } from 'vitest'
import { blankFlow } from '../../ui/src/editor/flow-edits.ts'
import { withoutNamedParts } from '../../ui/src/editor/node-check.ts'
import {
  cardProblem,
  indexProblems,
  problemsByTopField,
  readableField,
  unsavedLine,
} from '../../ui/src/editor/server-problems.ts'

const flow = {
  ...blankFlow(),
  nodes: [
    ...blankFlow().nodes,
    {
      id: 'control',
      type: 'totalcloud-control',
      typeVersion: 1,
      label: 'C',
      config: {},
      position: { x: 0, y: 0 },
    },
  ],
}

describe('indexProblems', () => {
  it('files flow problems under their node and config field', () => {
    const index = indexProblems(
      [
        {
          code: 'CONFIG_INVALID',
          nodeId: 'control',
          field: 'criteria.conditions.0.key',
          message: 'a key path is required',
        },
        { code: 'CONFIG_INVALID', nodeId: 'control', field: 'criteria.conditions.0.key', message: 'second' },
        { code: 'TRIGGER_MISSING', message: 'the flow has no trigger' },
      ],
      flow
    )
    expect(index.byNode.get('control')).toEqual({
      'criteria.conditions.0.key': 'a key path is required; second',
    })
    expect(index.general).toEqual(['the flow has no trigger'])
  })
  it('maps schema issue paths through node indices', () => {
    const index = indexProblems(
      {
        issues: [
          { path: ['nodes', 1, 'config', 'resourceIdKey'], message: 'bad' },
          { path: 'name', message: 'a flow needs a name' },
        ],
      },
      flow
    )
    expect(index.byNode.get('control')).toEqual({ resourceIdKey: 'bad' })
    expect(index.general).toEqual(['name: a flow needs a name'])
  })
  it("drops the field's name from a message filed under that field", () => {
    const index = indexProblems(
      [
        { nodeId: 'control', field: 'criteria', message: 'criteria: add at least one condition' },
        { nodeId: 'control', field: '', message: 'config: unreadable' },
      ],
      flow
    )
    expect(index.byNode.get('control')).toEqual({
      criteria: 'add at least one condition',
      '': 'config: unreadable',
    })
  })
})

describe('problems in words', () => {
  it('names nested fields as the dialog shows them, and files them under their top-level field', () => {
    expect(readableField('criteria.conditions.0.value')).toBe('criteria › condition 1 › value')
    expect(readableField('count')).toBe('count')
    expect(problemsByTopField({ 'criteria.conditions.1.value': 'bad regex', count: 'At least 0' })).toEqual({
      criteria: 'condition 2 › value: bad regex',
      count: 'At least 0',
    })
    expect(cardProblem({ 'criteria.conditions.0.value': 'bad regex', '': 'not reachable' })).toEqual({
      count: 2,
      text: 'criteria › condition 1 › value: bad regex\nnot reachable',
    })
  })
})

describe("a 400's input issues", () => {
  it('files `nodes.N.field` issues under their node, and names the field of every other one once', () => {
    const index = indexProblems(
      {
        issues: [
          { field: 'nodes.1.label', message: 'cannot contain control characters' },
          { field: 'categories.0', message: 'cannot contain control characters' },
          { field: 'categories.1', message: 'cannot contain control characters' },
          { field: 'categories.1', message: 'cannot contain control characters' },
        ],
      },
      flow
    )
    expect(index.byNode.get('control')).toEqual({ label: 'cannot contain control characters' })
    expect(index.general).toEqual([
      'categories.0: cannot contain control characters',
      'categories.1: cannot contain control characters',
    ])
    expect(unsavedLine(index, () => 'C')).toBe('Not saved: "C" › name: cannot contain control characters')
  })

  it('leaves out the parts a 400 named, keeping the node being checked', () => {
    const doc = {
      ...flow,
      nodes: [...flow.nodes, { ...flow.nodes[1]!, id: 'other' }],
      edges: [
        { id: 'a', source: flow.nodes[0]!.id, sourcePort: 'out', target: 'control', targetPort: 'in' },
        { id: 'b', source: flow.nodes[0]!.id, sourcePort: 'out', target: 'other', targetPort: 'in' },
      ],
      varaibles: [],
    }
    const rest = withoutNamedParts(
      doc as never,
      { issues: [{ field: 'nodes.2.labell' }, { field: 'varaibles' }, { field: 'name' }] },
      'control'
    )!
    expect(rest.nodes.map((x) => x.id)).toEqual([flow.nodes[0]!.id, 'control'])
    expect(rest.edges.map((x) => x.id)).toEqual(['a'])
    expect('varaibles' in rest).toBe(false)
    expect(rest.name).toBe('Node check')
    expect(withoutNamedParts(flow, { issues: [] }, 'control')).toBeNull()
  })
})
