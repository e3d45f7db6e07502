import { describe, expect, it } from 'vitest'
import { isExpression, resolveExpressions } from '../../core/flow/expressions.ts'
import { variableSchema } from '../../core/flow/schema.ts'
import { resolveVariables } from '../../core/flow/variables.ts'

const scope = {
  variables: { region: 'eu-west-1', limit: 5 },
  item: { InstanceId: 'i-1', Port: 22, Tags: [] },
}

describe('expressions', () => {
  it('resolves whole-string expressions keeping the type', () => {
    expect(resolveExpressions('obj.Port', scope)).toBe(22)
    expect(resolveExpressions('$wf.variables.limit', scope)).toBe(5)
    expect(resolveExpressions('$wf.variables: region', scope)).toBe('eu-west-1')
  })

  it('interpolates templates inside longer strings', () => {
    expect(resolveExpressions('stop {{ obj.InstanceId }} in {{$wf.variables.region}}', scope)).toBe(
      'stop i-1 in eu-west-1'
    )
    expect(resolveExpressions('tags: {{ obj.Tags }}', scope)).toBe('tags: []')
  })

  it('walks objects and arrays', () => {
    expect(
      resolveExpressions({ Ids: ['obj.InstanceId'], n: 1, nested: { r: '$wf.variables.region' } }, scope)
    ).toEqual({ Ids: ['i-1'], n: 1, nested: { r: 'eu-west-1' } })
  })

  it('leaves item expressions in place when there is no item yet, and unknown variables as written', () => {
    expect(resolveExpressions('obj.InstanceId', { variables: {} })).toBe('obj.InstanceId')
    expect(resolveExpressions('$wf.variables.nope', { variables: {} })).toBe('$wf.variables.nope')
  })

  it('lets a leading backslash keep a literal', () => {
    expect(resolveExpressions('\\obj.Port', scope)).toBe('obj.Port')
  })

  it('recognises expressions repeatably', () => {
    for (let i = 0; i < 3; i++) expect(isExpression('a {{ obj.x }} b')).toBe(true)
    expect(isExpression('plain')).toBe(false)
  })
})

describe('variables', () => {
  it('applies overrides coerced to the declared type', () => {
    const declared = [
      { name: 'n', type: 'number' as const, value: 1 },
      { name: 'on', type: 'boolean' as const, value: false },
      { name: 'ids', type: 'list' as const, value: [] },
      { name: 'cfg', type: 'json' as const, value: { a: 1 } },
    ]
    expect(resolveVariables(declared, { n: '7', on: 'true', ids: '["a"]', cfg: '{"b":2}' })).toEqual({
      n: 7,
      on: true,
      ids: ['a'],
      cfg: { b: 2 },
    })
  })

  it('refuses overrides of names no flow can declare, and of names this flow does not declare', () => {
    const declared = [{ name: 'n', type: 'number' as const, value: 1 }]
    // JSON.parse makes `__proto__` an own key, as a request body would carry it.
    const overrides = JSON.parse('{"__proto__": {"n": 2}, "constructor": 3, "m": 4}')
    expect(() => resolveVariables(declared, overrides)).toThrow(
      /variables\.__proto__: not an allowed variable name.*; variables\.constructor: not an allowed variable name.*; variables\.m: the flow declares no variable "m"/
    )
    expect(variableSchema.safeParse({ name: 'prototype', type: 'string', value: '' }).success).toBe(false)
    expect(variableSchema.safeParse({ name: '_proto', type: 'string', value: '' }).success).toBe(true)
  })
})
