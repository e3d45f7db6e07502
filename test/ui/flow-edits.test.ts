import { describe, expect, it } from 'vitest'
import { flowSchema } from '../../core/flow/schema.ts'
import type { NodeTypeDescription } from '../../core/plugin/registry.ts'
import { CARD_HEIGHT, CARD_WIDTH } from '../../ui/src/canvas/geometry.ts'
import { describeFlowChanges } from '../../ui/src/editor/flow-diff.ts'
import { addNode, blankFlow, duplicateNode, nodeIdFor, updateNode } from '../../ui/src/editor/flow-edits.ts'

const resource: NodeTypeDescription = {
  type: 'aws-resource',
  version: 2,
  title: 'AWS Resource',
  description: '',
  category: 'aws',
  icon: 'cloud',
  color: '#f90',
  inputs: [{ name: 'in' }],
  outputs: [{ name: 'out' }],
  configSchema: {},
}

describe('flow edits', () => {
  it('starts a new flow with its trigger, valid against the flow schema', () => {
    const flow = blankFlow('Public RDS')
    expect(flow.nodes.map((n) => n.type)).toEqual(['trigger'])
    expect(flowSchema.safeParse(flow).success).toBe(true)
  })
  it('adds a node after another: placed to its right and connected from the given port', () => {
    const { flow, node } = addNode(blankFlow(), resource, { after: 'trigger' })
    expect(node).toMatchObject({
      id: 'awsResource',
      type: 'aws-resource',
      typeVersion: 2,
      label: 'AWS Resource',
    })
    expect(node.position.x).toBeGreaterThan(CARD_WIDTH)
    expect(flow.edges).toEqual([
      expect.objectContaining({
        source: 'trigger',
        sourcePort: 'out',
        target: 'awsResource',
        targetPort: 'in',
      }),
    ])
    const second = addNode(flow, resource, { after: 'trigger' })
    expect(second.node.id).toBe('awsResource2')
    expect(second.node.label).toBe('AWS Resource 2')
    expect(second.node.position.y).toBeGreaterThan(node.position.y)
  })
  it('adds a node with nothing selected in free space, never on top of another node', () => {
    let flow = blankFlow()
    // The view centre sits on the trigger, as it does right after a new flow is fitted into view.
    const at = { x: CARD_WIDTH / 2, y: CARD_HEIGHT / 2 }
    for (let i = 0; i < 3; i++) flow = addNode(flow, resource, { at }).flow
    const boxes = flow.nodes.map((n) => n.position)
    for (const [i, a] of boxes.entries())
      for (const b of boxes.slice(i + 1))
        expect(Math.abs(a.x - b.x) >= CARD_WIDTH || Math.abs(a.y - b.y) >= CARD_HEIGHT).toBe(true)
    expect(flow.edges).toEqual([])
  })
  it('derives readable ids and duplicates without reusing one', () => {
    const flow = addNode(blankFlow(), resource, {}).flow
    expect(nodeIdFor(flow, 'aws-resource')).toBe('awsResource2')
    const copy = duplicateNode(flow, 'awsResource')
    expect(copy.nodes.map((n) => n.id)).toEqual(['trigger', 'awsResource', 'awsResource2'])
  })
  it('describes what another version changed', () => {
    const mine = addNode(blankFlow(), resource, { after: 'trigger' }).flow
    const theirs = updateNode({ ...mine, name: 'Renamed', edges: [] }, 'awsResource', {
      config: { service: 'ec2' },
    })
    expect(describeFlowChanges(mine, theirs)).toEqual([
      'name changed to "Renamed"',
      'node "AWS Resource": configuration changed',
      '1 connection removed',
    ])
  })
})
