import { describe, expect, it } from 'vitest'
import { withMethod, withService } from '../../ui/src/form/widgets/aws-choice.ts'

describe('AWS choices that follow each other', () => {
  it('a new service takes its first method and keeps only the addons that method offers', () => {
    const rds = {
      service: 'rds',
      method: 'DBInstances',
      addons: ['SecurityGroups', 'PrefixLists'],
      regions: ['eu-west-1'],
    }
    expect(withService(rds, 'ec2', 'method', 'resources')).toEqual({
      service: 'ec2',
      method: 'Instances',
      addons: ['SecurityGroups', 'PrefixLists'],
      regions: ['eu-west-1'],
    })
    expect(
      withService({ service: 'ec2', method: 'Instances', addons: ['Volumes'] }, 'rds', 'method', 'resources')
    ).toEqual({
      service: 'rds',
      method: 'DBInstances',
    })
  })
  it('a new method drops the addons it does not offer, and those that needed them', () => {
    const ec2 = { service: 'ec2', method: 'Instances', addons: ['SecurityGroups', 'PrefixLists', 'Volumes'] }
    expect(withMethod(ec2, 'method', 'Vpcs', 'resources')).toEqual({ service: 'ec2', method: 'Vpcs' })
    expect(withMethod(ec2, 'method', 'DBInstances', 'resources')).toEqual({
      service: 'ec2',
      method: 'DBInstances',
    })
  })
})
