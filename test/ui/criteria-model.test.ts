import { describe, expect, it } from 'vitest'
import { asGroup, emptyGroup, newParam, replaceAt } from '../../ui/src/form/widgets/criteria-model.ts'

describe('criteria edits', () => {
  it('replaces and removes nodes at nested paths without touching the rest', () => {
    const inner = { ...emptyGroup('AND'), conditions: [newParam(), newParam()] }
    const root = { ...emptyGroup('OR'), conditions: [newParam(), inner] }
    const changed = replaceAt(root, [1, 0], {
      type: 'param',
      key: 'PubliclyAccessible',
      operator: 'equals',
      value: 'true',
    })
    expect(asGroup(changed.conditions[1]).conditions[0]).toMatchObject({ key: 'PubliclyAccessible' })
    expect(changed.conditions[0]).toBe(root.conditions[0])
    expect(root.conditions[1]).toBe(inner)
    const removed = replaceAt(changed, [1, 1], undefined)
    expect(asGroup(removed.conditions[1]).conditions).toHaveLength(1)
  })
  it('treats anything that is not a group as an empty AND group', () => {
    expect(asGroup(undefined)).toEqual({ type: 'group', op: 'AND', not: false, conditions: [] })
  })
})
