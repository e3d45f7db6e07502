import { describe, expect, it } from 'vitest'
import { type ResourceMethod, resourceMethod, resourceMethods } from '../../plugins/aws-resource/catalogue.ts'
import { resourceConfig } from '../../plugins/aws-resource/config.ts'
import { resourcePermissions } from '../../plugins/aws-resource/index.ts'
import { commandClass } from '../../plugins/shared/sdk.ts'

/** The catalogue is data read by the node, the replay and the editor: check it holds together. */
describe('the AWS Resource catalogue', () => {
  it('names only calls the SDK has, describe calls and details alike', async () => {
    for (const method of resourceMethods) {
      await commandClass(method.service, method.operation)
      if (method.details) await commandClass(method.service, method.details.operation)
    }
  })

  it('points every addon at a method that can be looked up, and orders addons that read another', () => {
    for (const method of resourceMethods)
      for (const addon of method.addons ?? []) {
        const related = resourceMethod(addon.method) as ResourceMethod
        expect(related?.lookup, `${method.id} ${addon.key}`).toBeDefined()
        if (!addon.after) continue
        // One level only: the addon it reads is fetched with the listing.
        const before = method.addons!.find((a) => a.key === addon.after)
        expect(before, `${method.id} ${addon.key} after ${addon.after}`).toBeDefined()
        expect(before!.after).toBeUndefined()
      }
  })

  it('offers Prefix Lists wherever security group rules are at hand', () => {
    const offering = resourceMethods
      .filter((m) => m.addons?.some((a) => a.key === 'PrefixLists'))
      .map((m) => [m.id, m.addons!.find((a) => a.key === 'PrefixLists')!.after ?? null])
    expect(offering).toEqual([
      ['rds.DBInstances', 'SecurityGroups'],
      ['rds.DBClusters', 'SecurityGroups'],
      ['ec2.Instances', 'SecurityGroups'],
      ['ec2.SecurityGroups', null],
    ])
  })

  it('reports the IAM actions a config needs, prefix-list calls only when used', () => {
    const permissions = (config: Record<string, unknown>) => resourcePermissions(resourceConfig.parse(config))
    expect(permissions({ service: 'rds', method: 'DBInstances', addons: ['SecurityGroups'] })).toEqual([
      'rds:DescribeDBInstances',
      'ec2:DescribeSecurityGroups',
    ])
    expect(
      permissions({ service: 'rds', method: 'DBInstances', addons: ['SecurityGroups', 'PrefixLists'] })
    ).toEqual([
      'rds:DescribeDBInstances',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeManagedPrefixLists',
      'ec2:GetManagedPrefixListEntries',
    ])
    expect(permissions({ service: 'ec2', method: 'SecurityGroups', addons: ['PrefixLists'] })).toEqual([
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeManagedPrefixLists',
      'ec2:GetManagedPrefixListEntries',
    ])
    expect(permissions({ service: 'ec2', method: 'ManagedPrefixLists' })).toEqual([
      'ec2:DescribeManagedPrefixLists',
      'ec2:GetManagedPrefixListEntries',
    ])
  })
})
