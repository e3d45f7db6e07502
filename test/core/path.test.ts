import { describe, expect, it } from 'vitest'
import { compilePath, getPath, parsePath } from '../../core/path.ts'

const db = {
  DBInstanceIdentifier: 'db1',
  Endpoint: { Port: 5432 },
  Tags: [
    { Key: 'env', Value: 'prod' },
    { Key: 'owner', Value: 'sec' },
  ],
  SecurityGroups: [
    { GroupId: 'sg-1', IpPermissions: [{ FromPort: 22 }, { FromPort: 80 }] },
    { GroupId: 'sg-2', IpPermissions: [{ FromPort: 443 }] },
  ],
}

describe('key paths', () => {
  it('reads dotted keys', () => {
    expect(getPath(db, 'Endpoint.Port')).toBe(5432)
    expect(getPath(db, 'Endpoint.Missing')).toBeUndefined()
    expect(getPath(db, 'DBInstanceIdentifier.length')).toBeUndefined()
  })

  it('reads array elements by index', () => {
    expect(getPath(db, 'SecurityGroups[1].GroupId')).toBe('sg-2')
    expect(getPath(db, 'SecurityGroups[5].GroupId')).toBeUndefined()
  })

  it('maps keys over arrays and flattens, with or without a wildcard', () => {
    expect(getPath(db, 'SecurityGroups.GroupId')).toEqual(['sg-1', 'sg-2'])
    expect(getPath(db, 'SecurityGroups[*].GroupId')).toEqual(['sg-1', 'sg-2'])
    expect(compilePath('SecurityGroups.IpPermissions.FromPort').all(db)).toEqual([22, 80, 443])
    expect(compilePath('SecurityGroups.IpPermissions').all(db)).toHaveLength(3)
  })

  it('selects array elements by a key match', () => {
    expect(getPath(db, 'Tags[Key=env].Value')).toBe('prod')
    expect(getPath(db, "Tags[Key='owner'].Value")).toBe('sec')
    expect(getPath(db, 'Tags[Key=none].Value')).toBeUndefined()
  })

  it('rejects malformed paths with the path in the message', () => {
    expect(() => parsePath('a..b')).toThrow(/a\.\.b/)
    expect(() => parsePath('a[=x]')).toThrow(/a\[=x\]/)
    expect(() => parsePath('')).toThrow()
  })
})

describe('key paths over explicit wildcards', () => {
  it('spreads the arrays reached through a wildcard', () => {
    expect(compilePath('SecurityGroups[*].IpPermissions').all(db)).toHaveLength(3)
  })
})
