import { describe, expect, it } from 'vitest'
import { checkEventPattern, matchesEventPattern } from '../../../plugins/trigger/event-pattern.ts'

const event = {
  version: '0',
  id: 'e-1',
  source: 'aws.rds',
  'detail-type': 'RDS DB Instance Event',
  region: 'eu-west-1',
  detail: {
    SourceIdentifier: 'prod-orders-db',
    EventCategories: ['configuration change', 'notification'],
    Message: 'Publicly accessible changed',
    allocatedStorage: 100,
    tags: { env: 'prod' },
  },
}

const matches = (pattern: Record<string, unknown>) => {
  expect(checkEventPattern(pattern)).toEqual([])
  return matchesEventPattern(pattern, event)
}

describe('event patterns', () => {
  it('matches exact values and lists of alternatives', () => {
    expect(matches({ source: ['aws.rds'] })).toBe(true)
    expect(matches({ source: ['aws.ec2', 'aws.rds'], 'detail-type': ['RDS DB Instance Event'] })).toBe(true)
    expect(matches({ source: ['aws.ec2'] })).toBe(false)
  })

  it('descends into detail and matches any element of a list in the event', () => {
    expect(matches({ detail: { EventCategories: ['notification'] } })).toBe(true)
    expect(matches({ detail: { EventCategories: ['failure'] } })).toBe(false)
    expect(matches({ detail: { tags: { env: ['prod'] } } })).toBe(true)
    expect(matches({ detail: { tags: { env: ['dev'] } } })).toBe(false)
  })

  it('prefix, suffix, equals-ignore-case and wildcard', () => {
    expect(matches({ detail: { SourceIdentifier: [{ prefix: 'prod-' }] } })).toBe(true)
    expect(matches({ detail: { SourceIdentifier: [{ prefix: 'dev-' }] } })).toBe(false)
    expect(matches({ detail: { SourceIdentifier: [{ suffix: '-db' }] } })).toBe(true)
    expect(matches({ source: [{ 'equals-ignore-case': 'AWS.RDS' }] })).toBe(true)
    expect(matches({ detail: { SourceIdentifier: [{ wildcard: 'prod-*-db' }] } })).toBe(true)
    expect(matches({ detail: { SourceIdentifier: [{ wildcard: 'prod-*-cache' }] } })).toBe(false)
  })

  it('anything-but excludes values and prefixes, and never matches a missing field', () => {
    expect(matches({ source: [{ 'anything-but': 'aws.ec2' }] })).toBe(true)
    expect(matches({ source: [{ 'anything-but': ['aws.ec2', 'aws.rds'] }] })).toBe(false)
    expect(matches({ detail: { SourceIdentifier: [{ 'anything-but': { prefix: 'prod-' } }] } })).toBe(false)
    expect(matches({ detail: { missing: [{ 'anything-but': 'x' }] } })).toBe(false)
  })

  it('exists tests presence either way', () => {
    expect(matches({ detail: { Message: [{ exists: true }] } })).toBe(true)
    expect(matches({ detail: { Nope: [{ exists: true }] } })).toBe(false)
    expect(matches({ detail: { Nope: [{ exists: false }] } })).toBe(true)
    expect(matches({ detail: { Message: [{ exists: false }] } })).toBe(false)
  })

  it('numeric ranges only match numbers', () => {
    expect(matches({ detail: { allocatedStorage: [{ numeric: ['>', 50, '<=', 100] }] } })).toBe(true)
    expect(matches({ detail: { allocatedStorage: [{ numeric: ['<', 100] }] } })).toBe(false)
    expect(matches({ detail: { allocatedStorage: [{ numeric: ['=', 100] }] } })).toBe(true)
    expect(matches({ detail: { Message: [{ numeric: ['>', 0] }] } })).toBe(false)
  })

  it('$or matches when any branch does; every other field must match too', () => {
    expect(
      matches({ source: ['aws.rds'], $or: [{ region: ['us-east-1'] }, { region: ['eu-west-1'] }] })
    ).toBe(true)
    expect(
      matches({ source: ['aws.ec2'], $or: [{ region: ['us-east-1'] }, { region: ['eu-west-1'] }] })
    ).toBe(false)
  })

  it('reads a field named like a matcher as a field when it holds a list', () => {
    expect(matches({ detail: { tags: { env: ['prod'] } } })).toBe(true)
    expect(checkEventPattern({ detail: { prefix: ['x'] } })).toEqual([])
    expect(matchesEventPattern({ detail: { prefix: ['x'] } }, { detail: { prefix: 'x' } })).toBe(true)
  })

  it('refuses a leaf that is not a list, as EventBridge does', () => {
    const leaf = expect.stringMatching(/^a list of values or matchers, e\.g\. \["aws\.rds"\]/)
    expect(
      checkEventPattern({
        source: 'not-a-list',
        'detail-type': { prefix: 'RDS' },
        detail: { size: 5, on: true, gone: null, tags: { env: 'prod' } },
      })
    ).toEqual([
      { path: ['source'], message: leaf },
      { path: ['detail-type'], message: leaf },
      { path: ['detail', 'size'], message: leaf },
      { path: ['detail', 'on'], message: leaf },
      { path: ['detail', 'gone'], message: leaf },
      { path: ['detail', 'tags', 'env'], message: leaf },
    ])
  })

  it('reports each malformed part with its path', () => {
    expect(
      checkEventPattern({
        source: [],
        detail: { a: [{ bogus: 1 }], b: [{ exists: 'yes' }], c: [[1]] },
        $or: [{ x: [1] }],
      })
    ).toEqual([
      { path: ['source'], message: 'an empty list matches nothing' },
      { path: ['detail', 'a', 0], message: expect.stringMatching(/^a matcher is one of/) },
      { path: ['detail', 'b', 0, 'exists'], message: 'exists takes true or false' },
      { path: ['detail', 'c', 0], message: 'lists do not nest' },
      { path: ['$or'], message: '$or takes a list of at least two patterns' },
    ])
  })
})
