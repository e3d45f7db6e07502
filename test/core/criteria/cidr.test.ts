import { describe, expect, it } from 'vitest'
import {
  parseCidr,
  plainIpv4Prefix,
  rangeContains,
  rangesCover,
  rangesOverlap,
} from '../../../core/criteria/cidr.ts'

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

  it('the plain IPv4 reading agrees with parseCidr, or leaves the text to it', () => {
    const texts = [
      '0.0.0.0/0',
      '1.2.3.4/0',
      '10.0.0.0/8',
      '10.1.2.3/8',
      '128.0.0.0/1',
      '127.255.255.255/1',
      '172.16.0.0/12',
      '255.255.255.255/32',
      '192.168.0.1/032',
      '010.0.0.0/8',
      '0.0.0.0/1',
      '200.1.1.0/24',
      ' 10.0.0.0/8',
      '10.0.0.0/8 ',
      '10.0.0.0',
      '10.0.0/8',
      '10.0.0.0.0/8',
      '256.0.0.0/8',
      '10.0.0.0/33',
      '10.0.0.0/',
      '/8',
      '1000.0.0.0/8',
      '10.0.0.0/0008',
      '::/0',
      '10.0.0.0/8/8',
      '1.2.3.4/-1',
      '1.2.3.4/+1',
      '1.2.3.4/1e1',
      '١.2.3.4/8',
      'a.b.c.d/8',
      '',
    ]
    for (let i = 0; i < 400; i++) {
      const octets = Array.from({ length: 4 }, (_, k) => ((i * 37 + k * 101) % 260).toString())
      texts.push(`${octets.join('.')}/${(i * 7) % 35}`)
    }
    let plainCount = 0
    for (const text of texts) {
      const plain = plainIpv4Prefix(text)
      if (plain < 0) continue
      plainCount++
      const range = parseCidr(text)
      expect(range, text).toBeDefined()
      expect({ v6: range!.v6, size: range!.size, upper: range!.upper }, text).toEqual({
        v6: false,
        size: 2 ** (32 - (plain & 63)),
        upper: plain >= 64,
      })
    }
    expect(plainCount).toBeGreaterThan(300)
    // Texts it leaves to parseCidr: whitespace, bare addresses, bad octets or prefixes, IPv6.
    for (const text of [' 10.0.0.0/8', '10.0.0.0', '256.0.0.0/8', '10.0.0.0/33', '::/0', '10.0.0.0/0008'])
      expect(plainIpv4Prefix(text), text).toBe(-1)
  })
})
