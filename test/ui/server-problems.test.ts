import { describe, expect, it } from 'vitest'
import { blankFlow } from '../../ui/src/editor/flow-edits.ts'
import {
  cardProblem,
  indexProblems,
  problemsByTopField,
  readableField,
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
