import { describe, expect, it } from 'vitest'
import { createRegistry } from '../../core/plugin/registry.ts'
import { builtinPlugins } from '../../plugins/index.ts'
import {
  discriminator,
  initialValue,
  type JsonSchema,
  localProblems,
  mayBeLeftEmpty,
  resolve,
  variants,
} from '../../ui/src/form/json-schema.ts'

// The trigger's schema as the registry describes it: a real zod → JSON Schema conversion.
const trigger = createRegistry(builtinPlugins)
  .describe()
  .find((t) => t.type === 'trigger')!.configSchema as JsonSchema

describe('config forms read JSON Schema', () => {
  it('takes a kind title from the schema: TotalCloud keeps its capitals', () => {
    expect(resolve(variants(trigger)![3], trigger).title).toBe('TotalCloud')
  })
  it('calls a field optional only when leaving it empty means no value', () => {
    expect(mayBeLeftEmpty({ type: 'string' })).toBe(true)
    expect(mayBeLeftEmpty({ type: 'array', default: [] })).toBe(true)
    expect(mayBeLeftEmpty({ type: 'object', default: {} })).toBe(true)
    expect(mayBeLeftEmpty({ type: 'string', default: 'rds' })).toBe(false)
    expect(mayBeLeftEmpty({ type: 'array', default: ['x'] })).toBe(false)
    expect(mayBeLeftEmpty({ type: 'boolean', default: false })).toBe(false)
  })
  it('finds the discriminator of a union of objects', () => {
    const options = variants(trigger)!
    expect(discriminator(options, trigger)).toEqual({
      key: 'kind',
      values: ['manual', 'recurrent', 'cron', 'totalcloud', 'event'],
    })
  })
  it('starts a chosen option with its required fields and defaults', () => {
    const recurrent = variants(trigger)![1]!
    expect(initialValue(recurrent, trigger)).toMatchObject({ kind: 'recurrent' })
    expect(initialValue({ type: 'array', default: ['x'] }, {})).toEqual(['x'])
  })
  it('reports missing required fields, bounds and patterns by dotted path', () => {
    expect(
      localProblems(trigger, { kind: 'recurrent', every: 0, unit: 'hours', at: '25:00' }, trigger)
    ).toEqual({
      every: 'More than 0',
      at: 'Does not match the expected format',
    })
    expect(localProblems(trigger, { kind: 'recurrent', unit: 'hours' }, trigger)).toEqual({
      every: 'Required',
    })
    expect(localProblems(trigger, { kind: 'manual' }, trigger)).toEqual({})
  })
  it('follows $ref into $defs and checks array items with their index in the path', () => {
    const root: JsonSchema = {
      type: 'object',
      properties: { rows: { type: 'array', items: { $ref: '#/$defs/row' } } },
      $defs: {
        row: { type: 'object', properties: { key: { type: 'string', minLength: 1 } }, required: ['key'] },
      },
    }
    expect(resolve({ $ref: '#/$defs/row' }, root).required).toEqual(['key'])
    expect(localProblems(root, { rows: [{ key: 'a' }, {}] }, root)).toEqual({ 'rows.1.key': 'Required' })
  })
})
