import { describe, expect, it } from 'vitest'
import { keyPathsOf } from '../../ui/src/form/key-paths.ts'

describe('keyPathsOf', () => {
  it('lists key paths of sample items, stepping through arrays without indices, shortest first', () => {
    const items = [
      {
        DBInstanceIdentifier: 'db-1',
        PubliclyAccessible: true,
        SecurityGroups: [{ GroupId: 'sg-1', IpPermissions: [{ FromPort: 5432 }] }],
        _qflow: { region: 'us-east-1', arn: 'arn:x' },
      },
      { DBName: 'orders' },
    ]
    expect(keyPathsOf(items)).toEqual([
      'DBInstanceIdentifier',
      'DBName',
      'PubliclyAccessible',
      'SecurityGroups',
      '_qflow.arn',
      '_qflow.region',
      'SecurityGroups.GroupId',
      'SecurityGroups.IpPermissions',
      'SecurityGroups.IpPermissions.FromPort',
    ])
  })
  it('stops at the limit', () => {
    const wide = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]))
    expect(keyPathsOf([wide], 10)).toHaveLength(10)
  })
})
