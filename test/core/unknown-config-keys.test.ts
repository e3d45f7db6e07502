import { describe, expect, it } from 'vitest'
import { closestKey } from '../../core/flow/unknown-keys.ts'
import { validateFlow } from '../../core/flow/validate.ts'
import { createRegistry } from '../../core/plugin/registry.ts'
import { flow } from '../support/flows.ts'
import { builtinAndTestPlugins } from '../support/plugins.ts'

const registry = createRegistry(builtinAndTestPlugins)

/** The CONFIG_INVALID problems of one node, as `field: message`. */
function configProblems(type: string, config: Record<string, unknown>): string[] {
  const nodes: [string, string, Record<string, unknown>][] =
    type === 'trigger'
      ? [['t', 'trigger', config]]
      : [
          ['t', 'trigger', {}],
          ['n', type, config],
        ]
  const edges: [string, string][] = type === 'trigger' ? [] : [['t', 'n']]
  return validateFlow(flow(nodes, edges), registry)
    .filter((problem) => problem.code === 'CONFIG_INVALID')
    .map((problem) => problem.message)
}

describe('unknown keys in built-in node config', () => {
  it('are problems naming the key, with the known key it likely meant', () => {
    expect(
      configProblems('trigger', { kind: 'cron', expression: '0 6 * * *', timeZone: 'Europe/Berlin' })
    ).toEqual(['timeZone: unknown field; did you mean `timezone`?'])
    expect(configProblems('aws-action', { dryrun: false })).toEqual([
      'dryrun: unknown field; did you mean `dryRun`?',
    ])
    expect(configProblems('aws-resource', { addOns: [] })).toEqual([
      'addOns: unknown field; did you mean `addons`?',
    ])
    expect(configProblems('aws-resource', { paramz: {} })).toEqual([
      'paramz: unknown field; did you mean `params`?',
    ])
  })

  it('list the known keys when none is close, per trigger kind', () => {
    const [problem] = configProblems('trigger', { kind: 'recurrent', every: 1, unit: 'days', time: '06:00' })
    expect(problem).toBe('time: unknown field (known: kind, overlap, every, unit, days, at, timezone)')
    // A trigger without a kind is manual; its own keys are the ones offered.
    expect(configProblems('trigger', { overlapp: 'skip' })).toEqual([
      'overlapp: unknown field; did you mean `overlap`?',
    ])
  })

  it('are reported beside the other problems of the node', () => {
    expect(configProblems('filter', { unknownTo: 'nowhere', critera: {} })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^unknownTo: /),
        'critera: unknown field; did you mean `criteria`?',
      ])
    )
  })

  it('suggest only close names', () => {
    expect(closestKey('TIMEZONE', ['timezone', 'at'])).toBe('timezone')
    expect(closestKey('regoins', ['regions', 'accounts'])).toBe('regions')
    expect(closestKey('time', ['at', 'timezone'])).toBeUndefined()
    expect(closestKey('xyz', ['at'])).toBeUndefined()
  })
})
