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

  it('reads own properties only, never what an object inherits', () => {
    expect(getPath({}, 'toString')).toBeUndefined()
    expect(getPath({}, 'constructor.name')).toBeUndefined()
    expect(getPath({}, '__proto__')).toBeUndefined()
    expect(compilePath('a.constructor').all({ a: [{}, { constructor: 'mine' }] })).toEqual(['mine'])
    expect(compilePath('a.toString').shaped({ a: {} })).toBeUndefined()
    expect(compilePath('a.toString').one({ a: {} })).toBeUndefined()
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

describe('shaped values (for evidence)', () => {
  const item = {
    One: { Port: 5432 },
    Groups: [{ Rules: [{ p: 1 }] }],
    Many: [{ Rules: [{ p: 1 }, { p: 2 }] }, { Rules: [{ p: 3 }] }],
    Empty: [],
    List: ['a'],
  }
  it('is a list whenever the path runs over an array, whatever it found', () => {
    expect(compilePath('Groups.Rules').shaped(item)).toEqual([{ p: 1 }])
    expect(compilePath('Many.Rules.p').shaped(item)).toEqual([1, 2, 3])
    expect(compilePath('Empty.Rules').shaped(item)).toEqual([])
    expect(compilePath('Groups[*].Rules[0].p').shaped(item)).toEqual([1])
  })
  it('is the value itself when the path does not branch', () => {
    expect(compilePath('One.Port').shaped(item)).toBe(5432)
    expect(compilePath('List').shaped(item)).toEqual(['a'])
    expect(compilePath('Groups[0].Rules[0].p').shaped(item)).toBe(1)
    expect(compilePath('Missing.Key').shaped(item)).toBeUndefined()
  })
})
