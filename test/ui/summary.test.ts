import { describe, expect, it } from 'vitest'
import { configSummary, humanize, withDefaults } from '../../ui/src/nodes/summary.ts'

describe('configSummary', () => {
  it('summarises a resource node as service, method and regions', () => {
    expect(
      configSummary('aws-resource', {
        service: 'rds',
        method: 'describeDBInstances',
        regions: ['us-east-1', 'eu-west-1'],
      })
    ).toBe('RDS · DB Instances · 2 regions')
  })
  it('names the trigger kind', () => {
    expect(configSummary('trigger', {})).toBe('Manual')
    expect(configSummary('trigger', { kind: 'recurrent', every: 6, unit: 'hours' })).toBe('Every 6 hours')
    expect(configSummary('trigger', { kind: 'totalcloud' })).toBe('TotalCloud connector')
  })
  it('counts criteria conditions through nested groups', () => {
    const criteria = { op: 'or', conditions: [{ kind: 'param' }, { op: 'and', conditions: [{}, {}] }] }
    expect(configSummary('totalcloud-control', { criteria })).toBe('3 conditions')
  })
  it('falls back to the first scalar field, then to "Not configured"', () => {
    expect(configSummary('community-x', { url: 'https://x' })).toBe('Url: https://x')
    expect(configSummary('community-x', {})).toBe('Not configured')
  })
  it('humanizes API names', () => {
    expect(humanize('describeSecurityGroups')).toBe('Security Groups')
    expect(humanize('DBInstances')).toBe('DB Instances')
  })
  it('fills schema defaults before summarising', () => {
    const schema = {
      properties: {
        service: { default: 'rds' },
        method: { default: 'DBInstances' },
        addons: { default: [] },
      },
    }
    expect(configSummary('aws-resource', withDefaults({ addons: ['SecurityGroups'] }, schema))).toBe(
      'RDS · DB Instances · +Security Groups'
    )
  })
})
