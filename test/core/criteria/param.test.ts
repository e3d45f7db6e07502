import { describe, expect, it } from 'vitest'
import { checkParam, NOW, paramEvidence } from '../../support/criteria.ts'

const DAY = 86_400_000
const db = {
  DBInstanceIdentifier: 'prod-orders-db',
  DBName: 'orders',
  Engine: 'postgres',
  EngineVersion: '13.7',
  PubliclyAccessible: false,
  MultiAZ: true,
  AllocatedStorage: 100,
  Endpoint: { Address: 'prod-orders-db.x.rds.amazonaws.com', Port: 5432 },
  StorageEncrypted: 'true', // a string-typed boolean, as some exports write it
  Iops: '3000', // a string-typed number
  TagList: [
    { Key: 'env', Value: 'prod' },
    { Key: 'owner', Value: 'team-a' },
  ],
  VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-1' }, { VpcSecurityGroupId: 'sg-2' }],
  ReadReplicaDBInstanceIdentifiers: [],
  DBSecurityGroups: null,
  Description: '',
  InstanceCreateTime: new Date(NOW - 40 * DAY).toISOString(),
  LatestRestorableTime: {
    __class__: 'datetime',
    year: 2026,
    month: 1,
    day: 14,
    hour: 12,
    minute: 0,
    second: 0,
    microsecond: 0,
  },
  LastBackup: '2026-01-10T00:00:00+00:00',
  Odd: 'not a date',
}

describe('param operators', () => {
  it('equals / notEquals, with the type rules', () => {
    expect(checkParam(db, 'PubliclyAccessible', 'equals', 'false')).toBe(true)
    expect(checkParam(db, 'PubliclyAccessible', 'equals', false)).toBe(true)
    expect(checkParam(db, 'PubliclyAccessible', 'equals', 'true')).toBe(false)
    expect(checkParam(db, 'Endpoint.Port', 'equals', '5432')).toBe(true)
    expect(checkParam(db, 'StorageEncrypted', 'equals', true)).toBe(true)
    expect(checkParam(db, 'Iops', 'equals', 3000)).toBe(true)
    expect(checkParam(db, 'Engine', 'equals', 'POSTGRES')).toBe(false)
    expect(checkParam(db, 'Engine', 'equals', 'POSTGRES', { ignoreCase: true })).toBe(true)
    expect(checkParam(db, 'Engine', 'notEquals', 'mysql')).toBe(true)
    expect(checkParam(db, 'Engine', 'notEquals', 'postgres')).toBe(false)
  })

  it('a missing key never equals, so notEquals holds (PubliclyAccessible absent is not true)', () => {
    expect(checkParam({}, 'PubliclyAccessible', 'equals', 'true')).toBe(false)
    expect(checkParam({}, 'PubliclyAccessible', 'notEquals', 'true')).toBe(true)
  })

  it('equals over a path reaching several values holds when any does; notEquals when none does', () => {
    expect(checkParam(db, 'VpcSecurityGroups.VpcSecurityGroupId', 'equals', 'sg-2')).toBe(true)
    expect(checkParam(db, 'VpcSecurityGroups.VpcSecurityGroupId', 'notEquals', 'sg-2')).toBe(false)
    expect(checkParam(db, 'TagList[Key=env].Value', 'equals', 'prod')).toBe(true)
    expect(checkParam(db, 'TagList[Key=env].Value', 'equals', 'dev')).toBe(false)
  })

  it('equals with a list compares the whole observed value', () => {
    expect(checkParam(db, 'ReadReplicaDBInstanceIdentifiers', 'equals', [])).toBe(true)
    expect(checkParam(db, 'VpcSecurityGroups.VpcSecurityGroupId', 'equals', ['sg-1', 'sg-2'])).toBe(true)
    expect(checkParam(db, 'VpcSecurityGroups.VpcSecurityGroupId', 'equals', ['sg-1'])).toBe(false)
    expect(checkParam(db, 'VpcSecurityGroups.VpcSecurityGroupId', 'notEquals', ['sg-2', 'sg-1'])).toBe(true)
  })

  it('greater / less (or equal) on numbers, numeric text and dates', () => {
    expect(checkParam(db, 'AllocatedStorage', 'greaterThan', '50')).toBe(true)
    expect(checkParam(db, 'AllocatedStorage', 'greaterThan', 100)).toBe(false)
    expect(checkParam(db, 'AllocatedStorage', 'greaterThanOrEqual', 100)).toBe(true)
    expect(checkParam(db, 'AllocatedStorage', 'lessThan', 1000)).toBe(true)
    expect(checkParam(db, 'AllocatedStorage', 'lessThanOrEqual', '99')).toBe(false)
    expect(checkParam(db, 'Iops', 'greaterThan', 999)).toBe(true) // "3000" vs 999, not "3000" < "999"
    expect(checkParam(db, 'LatestRestorableTime', 'greaterThan', '2026-01-01')).toBe(true)
    expect(checkParam(db, 'LatestRestorableTime', 'lessThan', '2026-01-01T00:00:00Z')).toBe(false)
    expect(checkParam(db, 'PubliclyAccessible', 'greaterThan', 0)).toBe(false) // booleans have no order
    expect(checkParam({}, 'AllocatedStorage', 'lessThan', 10)).toBe(false)
  })

  it('contains / notContains: substring of text, element of a list', () => {
    expect(checkParam(db, 'Endpoint.Address', 'contains', 'rds.amazonaws')).toBe(true)
    expect(checkParam(db, 'Endpoint.Address', 'contains', 'RDS', { ignoreCase: true })).toBe(true)
    expect(checkParam(db, 'Endpoint.Address', 'notContains', 'rds')).toBe(false)
    expect(checkParam(db, 'TagList.Key', 'contains', 'own')).toBe(true)
    expect(checkParam(db, 'TagList[Key=env].Value', 'contains', 'team')).toBe(false)
    expect(checkParam(db, 'VpcSecurityGroups.VpcSecurityGroupId', 'contains', 'sg-')).toBe(true)
    expect(checkParam(db, 'ReadReplicaDBInstanceIdentifiers', 'notContains', 'x')).toBe(true)
    expect(checkParam({ Ports: [22, 5432] }, 'Ports', 'contains', '5432')).toBe(true)
    expect(checkParam({ Ports: [22, 5432] }, 'Ports', 'contains', '543')).toBe(false) // elements, not text
    expect(checkParam(db, 'AllocatedStorage', 'contains', 10)).toBe(true) // "100" contains "10"
  })

  it('in / notIn, with a list or comma-separated text', () => {
    expect(checkParam(db, 'Engine', 'in', ['mysql', 'postgres'])).toBe(true)
    expect(checkParam(db, 'Engine', 'in', 'mysql, postgres')).toBe(true)
    expect(checkParam(db, 'Endpoint.Port', 'in', ['3306', '5432'])).toBe(true)
    expect(checkParam(db, 'Engine', 'notIn', ['mysql', 'mariadb'])).toBe(true)
    expect(checkParam(db, 'Engine', 'notIn', ['postgres'])).toBe(false)
    expect(checkParam(db, 'Engine', 'in', ['POSTGRES'], { ignoreCase: true })).toBe(true)
  })

  it('exists / notExists: null and missing do not exist, empty values do', () => {
    expect(checkParam(db, 'Endpoint.Port', 'exists')).toBe(true)
    expect(checkParam(db, 'Description', 'exists')).toBe(true)
    expect(checkParam(db, 'DBSecurityGroups', 'exists')).toBe(false)
    expect(checkParam(db, 'Nope.Deeper', 'exists')).toBe(false)
    expect(checkParam(db, 'Nope', 'notExists')).toBe(true)
    expect(checkParam(db, 'DBName', 'notExists')).toBe(false)
  })

  it('sees only the keys a resource holds itself, never inherited ones', () => {
    for (const key of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'constructor.name']) {
      expect(checkParam({}, key, 'exists')).toBe(false)
      expect(checkParam({}, key, 'notExists')).toBe(true)
      expect(checkParam({ a: [{}] }, `a.${key}`, 'exists')).toBe(false)
      expect(checkParam({ a: [{}] }, `a[*].${key}`, 'exists')).toBe(false)
    }
    expect(checkParam({ Tags: [{ Key: 'x' }] }, 'Tags[toString=x].Key', 'exists')).toBe(false)
    expect(checkParam({ d: new Date(0) }, 'd.getTime', 'exists')).toBe(false)
    expect(checkParam(JSON.parse('{"__proto__": 1}'), '__proto__', 'equals', 1)).toBe(true)
    expect(checkParam({ toString: 'own' }, 'toString', 'equals', 'own')).toBe(true)
  })

  it('isEmpty / isNotEmpty', () => {
    expect(checkParam(db, 'ReadReplicaDBInstanceIdentifiers', 'isEmpty')).toBe(true)
    expect(checkParam(db, 'Description', 'isEmpty')).toBe(true)
    expect(checkParam(db, 'DBSecurityGroups', 'isEmpty')).toBe(true)
    expect(checkParam(db, 'Missing', 'isEmpty')).toBe(true)
    expect(checkParam(db, 'TagList', 'isEmpty')).toBe(false)
    expect(checkParam(db, 'TagList', 'isNotEmpty')).toBe(true)
    expect(checkParam(db, 'PubliclyAccessible', 'isNotEmpty')).toBe(true) // false is a value
  })

  it('startsWith / endsWith', () => {
    expect(checkParam(db, 'DBInstanceIdentifier', 'startsWith', 'prod-')).toBe(true)
    expect(checkParam(db, 'DBInstanceIdentifier', 'startsWith', 'PROD-')).toBe(false)
    expect(checkParam(db, 'DBInstanceIdentifier', 'startsWith', 'PROD-', { ignoreCase: true })).toBe(true)
    expect(checkParam(db, 'DBInstanceIdentifier', 'endsWith', '-db')).toBe(true)
    expect(checkParam(db, 'Endpoint.Port', 'endsWith', 32)).toBe(true)
    expect(checkParam(db, 'TagList.Value', 'startsWith', 'team')).toBe(true)
  })

  it('matches, with the linear-time engine', () => {
    expect(checkParam(db, 'DBInstanceIdentifier', 'matches', '^prod-[a-z]+-db$')).toBe(true)
    expect(checkParam(db, 'DBInstanceIdentifier', 'matches', '^PROD', { ignoreCase: true })).toBe(true)
    expect(checkParam(db, 'EngineVersion', 'matches', '^1[0-3]\\.')).toBe(true)
    expect(checkParam(db, 'Endpoint.Port', 'matches', '^54')).toBe(true)
    expect(checkParam(db, 'Missing', 'matches', '.*')).toBe(false)
    expect(checkParam({ Big: 'a'.repeat(70_000) }, 'Big', 'matches', 'a')).toBe('unknown')
  })

  it('olderThanDays / newerThanDays over every date encoding', () => {
    expect(checkParam(db, 'InstanceCreateTime', 'olderThanDays', 30)).toBe(true)
    expect(checkParam(db, 'InstanceCreateTime', 'olderThanDays', '45')).toBe(false)
    expect(checkParam(db, 'InstanceCreateTime', 'newerThanDays', 45)).toBe(true)
    expect(checkParam(db, 'LatestRestorableTime', 'newerThanDays', 2)).toBe(true)
    expect(checkParam(db, 'LatestRestorableTime', 'olderThanDays', 0.5)).toBe(true)
    expect(checkParam(db, 'LastBackup', 'olderThanDays', 5)).toBe(true)
    expect(checkParam({ T: new Date(NOW - 3 * DAY) }, 'T', 'newerThanDays', 7)).toBe(true)
    expect(checkParam(db, 'Missing', 'olderThanDays', 1)).toBe(false)
    expect(checkParam(db, 'Odd', 'olderThanDays', 1)).toBe('unknown')
    expect(checkParam(db, 'Odd', 'olderThanDays', 1, { not: true })).toBe('unknown')
  })

  it('not on a condition negates it', () => {
    expect(checkParam(db, 'Engine', 'equals', 'postgres', { not: true })).toBe(false)
    expect(checkParam(db, 'Engine', 'notEquals', 'postgres', { not: true })).toBe(true)
  })
})

describe('param evidence', () => {
  it('shows the observed value: one value, a list, or nothing', () => {
    expect(paramEvidence(db, 'PubliclyAccessible', 'equals', 'true')).toEqual({
      type: 'param',
      key: 'PubliclyAccessible',
      operator: 'equals',
      value: 'true',
      observed: false,
      matched: false,
    })
    expect(paramEvidence(db, 'TagList.Key', 'equals', 'env').observed).toEqual(['env', 'owner'])
    const missing = paramEvidence(db, 'Nope', 'exists')
    expect(missing.observed).toBeUndefined()
    expect(missing).not.toHaveProperty('value')
    expect(paramEvidence(db, 'Odd', 'olderThanDays', 3)).toMatchObject({
      matched: null,
      reason: 'the value is not a date',
    })
  })
})
