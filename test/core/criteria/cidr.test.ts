import { describe, expect, it } from 'vitest'
import { parseCidr, rangeContains, rangesCover, rangesOverlap } from '../../../core/criteria/cidr.ts'

const r = (cidr: string) => {
  const range = parseCidr(cidr)
  if (!range) throw new Error(`test CIDR ${cidr} did not parse`)
  return range
}

describe('CIDR', () => {
  it('parses IPv4 and IPv6, bare addresses, and ignores host bits', () => {
    expect(r('10.0.0.0/8')).toMatchObject({ v6: false, start: 0x0a000000n, end: 0x0affffffn })
    expect(r('10.1.2.3/8')).toMatchObject({ start: 0x0a000000n, end: 0x0affffffn })
    expect(r('203.0.113.5')).toMatchObject({ start: 0xcb007105n, end: 0xcb007105n })
    expect(r('::/0')).toMatchObject({ v6: true, start: 0n, end: (1n << 128n) - 1n })
    expect(r('2001:db8::/32')).toMatchObject({ start: 0x20010db8n << 96n })
    expect(r('::ffff:192.0.2.1/128').start).toBe((0xffffn << 32n) | 0xc0000201n)
    expect(r('2001:DB8:0:0:0:0:0:1').start).toBe((0x20010db8n << 96n) | 1n)
  })

  it('rejects what is not a CIDR', () => {
    for (const text of [
      '',
      '10.0.0/8',
      '256.0.0.0/8',
      '10.0.0.0/33',
      '::/129',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      'fe80::g',
      '10.0.0.0/ 8',
      'sg-123',
    ])
      expect([text, parseCidr(text)]).toEqual([text, undefined])
  })

  it('answers containment and overlap within a family only', () => {
    expect(rangeContains(r('0.0.0.0/0'), r('203.0.113.0/24'))).toBe(true)
    expect(rangeContains(r('203.0.113.0/24'), r('0.0.0.0/0'))).toBe(false)
    expect(rangeContains(r('10.0.0.0/8'), r('10.255.255.255/32'))).toBe(true)
    expect(rangeContains(r('::/0'), r('10.0.0.0/8'))).toBe(false)
    expect(rangesOverlap(r('10.0.0.0/8'), r('10.5.0.0/16'))).toBe(true)
    expect(rangesOverlap(r('10.0.0.0/8'), r('11.0.0.0/8'))).toBe(false)
    expect(rangesOverlap(r('::/0'), r('0.0.0.0/0'))).toBe(false)
  })

  it('sees several ranges that together cover a target, and gaps between them', () => {
    expect(rangesCover([r('0.0.0.0/1'), r('128.0.0.0/1')], r('0.0.0.0/0'))).toBe(true)
    expect(rangesCover([r('128.0.0.0/1'), r('0.0.0.0/2'), r('64.0.0.0/2')], r('0.0.0.0/0'))).toBe(true)
    expect(rangesCover([r('0.0.0.0/1'), r('128.0.0.0/2')], r('0.0.0.0/0'))).toBe(false)
    expect(rangesCover([r('0.0.0.0/1'), r('128.0.0.1/1')], r('0.0.0.0/0'))).toBe(true)
    expect(rangesCover([r('::/1'), r('8000::/1')], r('::/0'))).toBe(true)
    expect(rangesCover([r('::/1'), r('128.0.0.0/1')], r('::/0'))).toBe(false)
    expect(rangesCover([r('10.0.0.0/9'), r('10.128.0.0/9')], r('10.0.0.0/8'))).toBe(true)
    expect(rangesCover([], r('10.0.0.0/8'))).toBe(false)
  })
})
