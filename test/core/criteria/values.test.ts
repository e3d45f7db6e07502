import { describe, expect, it } from 'vitest'
import {
  compareValues,
  isEmptyValue,
  toBoolean,
  toNumber,
  valuesEqual,
} from '../../../core/criteria/values.ts'

describe('type rules', () => {
  it('compares a boolean with true/false or the text "true"/"false" in any case', () => {
    expect(valuesEqual(true, true)).toBe(true)
    expect(valuesEqual(true, 'true')).toBe(true)
    expect(valuesEqual(true, ' TRUE ')).toBe(true)
    expect(valuesEqual(false, 'false')).toBe(true)
    expect(valuesEqual(true, 'false')).toBe(false)
    expect(valuesEqual(true, 'yes')).toBe(false)
    expect(valuesEqual(true, 1)).toBe(false)
    expect(valuesEqual(false, '')).toBe(false)
  })

  it('compares a number with a number or decimal text', () => {
    expect(valuesEqual(5432, 5432)).toBe(true)
    expect(valuesEqual(5432, '5432')).toBe(true)
    expect(valuesEqual(5432, ' 5432 ')).toBe(true)
    expect(valuesEqual(5432, '5432.0')).toBe(true)
    expect(valuesEqual(1000, '1e3')).toBe(true)
    expect(valuesEqual(5432, '5433')).toBe(false)
    expect(valuesEqual(5432, '5432abc')).toBe(false)
    expect(valuesEqual(0, '')).toBe(false)
    expect(valuesEqual(1, true)).toBe(false)
  })

  it('compares text as text, and typed expected values by their text', () => {
    expect(valuesEqual('available', 'available')).toBe(true)
    expect(valuesEqual('Available', 'available')).toBe(false)
    expect(valuesEqual('Available', 'available', true)).toBe(true)
    expect(valuesEqual('5432', 5432)).toBe(true)
    expect(valuesEqual('true', true)).toBe(true)
    expect(valuesEqual('x', null)).toBe(false)
  })

  it('compares dates in different encodings as instants', () => {
    const recorded = {
      __class__: 'datetime',
      year: 2011,
      month: 5,
      day: 23,
      hour: 6,
      minute: 50,
      second: 0,
      microsecond: 0,
    }
    expect(valuesEqual('2011-05-23T06:50:00Z', '2011-05-23T06:50:00.000Z')).toBe(true)
    expect(valuesEqual(recorded, '2011-05-23T06:50:00Z')).toBe(true)
    expect(valuesEqual(new Date('2011-05-23T06:50:00Z'), '2011-05-23T06:50:00+00:00')).toBe(true)
    expect(valuesEqual(recorded, '2011-05-23T06:50:01Z')).toBe(false)
  })

  it('compares objects and lists structurally', () => {
    expect(valuesEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true)
    expect(valuesEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false)
    expect(valuesEqual([1, 2], [2, 1])).toBe(false)
    expect(valuesEqual({ a: 1 }, '[object Object]')).toBe(false)
  })

  it('orders numbers numerically, dates by instant, and text by code units', () => {
    expect(compareValues(10, '9')).toBeGreaterThan(0)
    expect(compareValues('10', 9)).toBeGreaterThan(0)
    expect(compareValues('2011-05-23T06:06:43.110Z', '2012-01-01')).toBeLessThan(0)
    expect(compareValues('b', 'a')).toBeGreaterThan(0)
    expect(compareValues(true, 1)).toBeUndefined()
    expect(compareValues({}, 1)).toBeUndefined()
  })

  it('reads numbers and booleans strictly', () => {
    expect(toNumber('  12 ')).toBe(12)
    expect(toNumber('0x10')).toBeUndefined()
    expect(toNumber('Infinity')).toBeUndefined()
    expect(toNumber(Number.NaN)).toBeUndefined()
    expect(toBoolean('False')).toBe(false)
    expect(toBoolean(0)).toBeUndefined()
  })

  it('treats null, empty text, lists and objects as empty, and a date object as a value', () => {
    for (const value of [undefined, null, '', [], {}]) expect(isEmptyValue(value)).toBe(true)
    for (const value of [0, false, ' ', [0], { a: 1 }, new Date(0)]) expect(isEmptyValue(value)).toBe(false)
    expect(isEmptyValue({ __class__: 'datetime', year: 2020, month: 1, day: 1 })).toBe(false)
  })
})
