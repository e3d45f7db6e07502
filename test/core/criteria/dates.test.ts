import { describe, expect, it } from 'vitest'
import { toEpochMs } from '../../../core/criteria/dates.ts'

describe('date encodings', () => {
  const instant = Date.UTC(2017, 3, 5, 20, 28, 25, 992)

  it('reads the recorded {"__class__": "datetime"} format as UTC', () => {
    const recorded = {
      __class__: 'datetime',
      year: 2017,
      month: 4,
      day: 5,
      hour: 20,
      minute: 28,
      second: 25,
      microsecond: 992000,
    }
    expect(toEpochMs(recorded)).toBe(instant)
  })

  it('reads ISO strings of any precision, with or without a zone', () => {
    expect(toEpochMs('2017-04-05T20:28:25.992Z')).toBe(instant)
    expect(toEpochMs('2017-04-05T20:28:25.992000+00:00')).toBe(instant)
    expect(toEpochMs('2017-04-05T22:28:25.992+02:00')).toBe(instant)
    expect(toEpochMs('2017-04-05T20:28:25.992')).toBe(instant) // no zone: UTC, whatever the host's
    expect(toEpochMs('2011-05-23T06:50:00Z')).toBe(Date.UTC(2011, 4, 23, 6, 50))
    expect(toEpochMs('2011-05-23')).toBe(Date.UTC(2011, 4, 23))
    expect(toEpochMs('2011-05-23 06:50')).toBe(Date.UTC(2011, 4, 23, 6, 50))
  })

  it('reads Date objects as the SDK returns them', () => {
    expect(toEpochMs(new Date(instant))).toBe(instant)
    expect(toEpochMs(new Date('nonsense'))).toBeUndefined()
  })

  it('rejects what is not a date, including impossible ones', () => {
    for (const value of [
      '2011-02-30',
      '2011-13-01',
      'yesterday',
      '20110523',
      '2011-05-23T25:00',
      5,
      null,
      {},
      { __class__: 'datetime', year: 2011 },
    ])
      expect(toEpochMs(value)).toBeUndefined()
  })
})
