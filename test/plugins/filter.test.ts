import { describe, expect, it } from 'vitest'
import filter from '../../plugins/filter/index.ts'
import { builtinPlugins } from '../../plugins/index.ts'
import { group, resource, tcp } from '../support/criteria.ts'
import { runPlugin } from '../support/node-context.ts'
import { sampleCriteriaInput } from '../support/sample-criteria.ts'

const open = resource([group('sg-1', [tcp(5432, 5432, ['0.0.0.0/0'])])], { DBInstanceIdentifier: 'open' })
const closed = resource([group('sg-2', [tcp(5432, 5432, ['10.0.0.0/8'])])], {
  DBInstanceIdentifier: 'closed',
})
const flagged = resource([], { DBInstanceIdentifier: 'flagged', PubliclyAccessible: true })
const unknown = resource([], {
  DBInstanceIdentifier: 'unknown',
  VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-x' }],
})

describe('filter node', () => {
  it('is registered with matched / unmatched outputs and the criteria builder', () => {
    expect(builtinPlugins).toContain(filter)
    expect(filter.manifest.inputs.map((p) => p.name)).toEqual(['in'])
    expect(filter.manifest.outputs.map((p) => p.name)).toEqual(['matched', 'unmatched'])
    expect(filter.manifest.widgets).toEqual({ criteria: 'criteria-builder' })
  })

  it('splits items by the criteria and passes them on unchanged, in order', async () => {
    const { output } = await runPlugin(filter, { criteria: sampleCriteriaInput() }, [open, closed, flagged])
    expect(output.matched).toEqual([open, flagged])
    expect(output.matched![0]).toBe(open)
    expect(output.unmatched).toEqual([closed])
    expect(Object.keys(output).sort()).toEqual(['matched', 'unmatched'])
  })

  it('sends undecidable items to unmatched by default, or to matched when asked', async () => {
    const config = { criteria: sampleCriteriaInput() }
    const byDefault = await runPlugin(filter, config, [unknown, open])
    expect(byDefault.output).toEqual({ matched: [open], unmatched: [unknown] })
    expect(byDefault.logs.some((l) => /1 resource\(s\) could not be decided/.test(l.message))).toBe(true)
    const asked = await runPlugin(filter, { ...config, unknownTo: 'matched' }, [unknown, open])
    expect(asked.output).toEqual({ matched: [unknown, open], unmatched: [] })
  })

  it('matches everything with empty AND criteria and nothing with empty OR', async () => {
    const all = await runPlugin(filter, { criteria: { type: 'group', op: 'AND', conditions: [] } }, [
      open,
      closed,
    ])
    expect(all.output.matched).toHaveLength(2)
    const none = await runPlugin(filter, { criteria: { type: 'group', op: 'OR', conditions: [] } }, [
      open,
      closed,
    ])
    expect(none.output.unmatched).toHaveLength(2)
  })

  it('handles an empty input', async () => {
    const { output } = await runPlugin(filter, { criteria: sampleCriteriaInput() }, [])
    expect(output).toEqual({ matched: [], unmatched: [] })
  })

  it('refuses config without criteria', () => {
    const parsed = filter.config.safeParse({})
    expect(parsed.success).toBe(false)
    expect(parsed.error!.issues[0]!.path).toEqual(['criteria'])
    expect(parsed.error!.issues[0]!.message).toBe('add at least one condition')
    // Present but of the wrong type is a different mistake, and keeps the type message.
    expect(filter.config.safeParse({ criteria: 5 }).error!.issues[0]!.message).toMatch(/expected object/)
  })
})
