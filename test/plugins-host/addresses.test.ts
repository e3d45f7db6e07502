import { describe, expect, it } from 'vitest'
import { canonicalIp, internalKind } from '../../server/plugins/worker/addresses.mjs'

describe('internal addresses, as the worker classifies them', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.20.30.40', 'private (RFC 1918)'],
    ['172.16.0.1', 'private (RFC 1918)'],
    ['172.31.255.255', 'private (RFC 1918)'],
    ['192.168.1.1', 'private (RFC 1918)'],
    ['169.254.169.254', 'link-local (cloud metadata lives here)'],
    ['100.100.100.200', 'shared (carrier-grade NAT)'],
    ['0.0.0.0', 'unspecified ("this network")'],
    ['224.0.0.1', 'multicast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::5', 'unique-local'],
    ['[fd00::1]', 'unique-local'],
    ['::ffff:127.0.0.1', 'loopback, as IPv4 inside IPv6'],
    ['::ffff:7f00:1', 'loopback, as IPv4 inside IPv6'],
    ['::ffff:a9fe:a9fe', 'link-local (cloud metadata lives here), as IPv4 inside IPv6'],
    ['64:ff9b::10.0.0.1', 'private (RFC 1918), as IPv4 inside IPv6'],
    ['2002:c0a8:101::', 'private (RFC 1918), as IPv4 inside IPv6'],
    ['not-an-address', 'not an IP address'],
  ])('%s is %s', (address, kind) => {
    expect(internalKind(address)).toBe(kind)
  })

  it.each(['8.8.8.8', '172.32.0.1', '172.15.255.255', '192.169.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    '%s is public',
    (address) => {
      expect(internalKind(address)).toBeUndefined()
    }
  )

  it('spells every IPv6 form of one address the same way', () => {
    expect(canonicalIp('[::ffff:127.0.0.1]')).toBe(canonicalIp('::FFFF:7f00:0001'))
    expect(canonicalIp('::1')).toBe('0:0:0:0:0:0:0:1')
    expect(canonicalIp('10.0.0.5')).toBe('10.0.0.5')
    expect(canonicalIp('hooks.slack.com')).toBeUndefined()
  })
})
