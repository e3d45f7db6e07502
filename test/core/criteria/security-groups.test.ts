import { describe, expect, it } from 'vitest'
import { criteriaSchema } from '../../../core/criteria/schema.ts'
import { compile, group, judge, resource, sg, sgEvidence, tcp } from '../../support/criteria.ts'

const WORLD = ['0.0.0.0/0']
const allTraffic = (cidrs: string[]) => ({
  IpProtocol: '-1',
  IpRanges: cidrs.map((CidrIp) => ({ CidrIp })),
  Ipv6Ranges: [],
  PrefixListIds: [],
  UserIdGroupPairs: [],
})
const icmpAll = { IpProtocol: 'icmp', FromPort: -1, ToPort: -1, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }

describe('security group condition: sources', () => {
  it('public IPv4 is 0.0.0.0/0; a private or partial range is not', () => {
    expect(judge(sg(), resource([group('sg-1', [tcp(5432, 5432, WORLD)])]))).toBe(true)
    expect(judge(sg(), resource([group('sg-1', [tcp(5432, 5432, ['10.0.0.0/8'])])]))).toBe(false)
    expect(judge(sg(), resource([group('sg-1', [tcp(5432, 5432, ['0.0.0.0/1'])])]))).toBe(false)
  })

  it('IPv6 ::/0 counts for public IPv6 and for "either", not for public IPv4', () => {
    const item = resource([group('sg-1', [tcp(5432, 5432, ['::/0'])])])
    expect(judge(sg({ source: { kind: 'publicIpv4' } }), item)).toBe(false)
    expect(judge(sg({ source: { kind: 'publicIpv6' } }), item)).toBe(true)
    expect(judge(sg({ source: { kind: 'public' } }), item)).toBe(true)
  })

  it('ranges that together cover the internet are the internet: one rule, or same-port rules', () => {
    const halves = resource([group('sg-1', [tcp(22, 22, ['0.0.0.0/1', '128.0.0.0/1'])])])
    expect(judge(sg(), halves)).toBe(true)
    expect(sgEvidence({}, halves).matchedRules[0]!.sources).toEqual(['0.0.0.0/1', '128.0.0.0/1'])
    const v6Halves = resource([group('sg-1', [tcp(22, 22, ['::/1', '8000::/1'])])])
    expect(judge(sg({ source: { kind: 'publicIpv6' } }), v6Halves)).toBe(true)
    const split = resource([
      group('sg-1', [tcp(22, 22, ['0.0.0.0/1'])]),
      group('sg-2', [tcp(22, 22, ['128.0.0.0/1'])]),
    ])
    expect(judge(sg(), split)).toBe(true)
    expect(sgEvidence({}, split).matchedRules.map((m) => m.groupId)).toEqual(['sg-1', 'sg-2'])
    const sameGroup = resource([group('sg-1', [tcp(22, 22, ['0.0.0.0/1']), tcp(22, 22, ['128.0.0.0/1'])])])
    expect(judge(sg(), sameGroup)).toBe(true)
    expect(sgEvidence({}, sameGroup).matchedRules.map((m) => m.rule)).toEqual([0, 1])
    const threeParts = resource([
      group('sg-1', [tcp(22, 22, ['0.0.0.0/1'])]),
      group('sg-2', [tcp(22, 22, ['128.0.0.0/2'])]),
      group('sg-3', [tcp(22, 22, ['192.0.0.0/2'])]),
    ])
    expect(judge(sg(), threeParts)).toBe(true)
    const gap = resource([
      group('sg-1', [tcp(22, 22, ['0.0.0.0/1'])]),
      group('sg-2', [tcp(22, 22, ['128.0.0.0/2'])]),
      group('sg-3', [tcp(22, 22, ['192.0.0.0/3'])]),
    ])
    expect(judge(sg(), gap)).toBe(false)
    // Halves on different ports open no single port to everyone.
    const different = resource([group('sg-1', [tcp(22, 22, ['0.0.0.0/1']), tcp(80, 80, ['128.0.0.0/1'])])])
    expect(judge(sg(), different)).toBe(false)
  })

  it('parts add up wherever their rules carry the same protocol and port, whatever their ranges', () => {
    // tcp 1-2 from one half + all traffic from the other: tcp/1 is open to the whole internet.
    const withAllTraffic = resource([group('sg-1', [tcp(1, 2, ['0.0.0.0/1']), allTraffic(['128.0.0.0/1'])])])
    expect(judge(sg(), withAllTraffic)).toBe(true)
    expect(judge(sg({ protocol: 'tcp', ports: { mode: 'range', from: 2, to: 2 } }), withAllTraffic)).toBe(
      true
    )
    expect(judge(sg({ protocol: 'tcp', ports: { mode: 'range', from: 3, to: 3 } }), withAllTraffic)).toBe(
      false
    )
    expect(judge(sg({ protocol: 'udp' }), withAllTraffic)).toBe(false)
    expect(judge(sg({ protocol: 'all' }), withAllTraffic)).toBe(false)
    expect(sgEvidence({}, withAllTraffic).matchedRules.map((m) => [m.rule, m.protocol, m.sources])).toEqual([
      [1, '-1', ['128.0.0.0/1']],
      [0, 'tcp', ['0.0.0.0/1']],
    ])
    // tcp 1-2 + tcp 0-65535, in two groups.
    const wide = resource([
      group('sg-1', [tcp(1, 2, ['0.0.0.0/1'])]),
      group('sg-2', [tcp(0, 65_535, ['128.0.0.0/1'])]),
    ])
    expect(judge(sg(), wide)).toBe(true)
    expect(judge(sg({ ports: { mode: 'range', from: 80, to: 80 } }), wide)).toBe(false)
    expect(sgEvidence({}, wide).matchedRules.map((m) => m.groupId)).toEqual(['sg-1', 'sg-2'])
    // Overlapping port ranges: 20-30 and 25-40 share 25-30.
    const overlapping = resource([group('sg-1', [tcp(20, 30, ['0.0.0.0/1']), tcp(25, 40, ['128.0.0.0/1'])])])
    expect(judge(sg(), overlapping)).toBe(true)
    expect(judge(sg({ ports: { mode: 'range', from: 28, to: 50 } }), overlapping)).toBe(true)
    expect(judge(sg({ ports: { mode: 'range', from: 10, to: 24 } }), overlapping)).toBe(false)
    // Three parts over three port ranges whose common ports are 30-30.
    const three = resource([
      group('sg-1', [tcp(0, 30, ['0.0.0.0/1'])]),
      group('sg-2', [tcp(30, 100, ['128.0.0.0/2'])]),
      group('sg-3', [tcp(30, 30, ['192.0.0.0/2']), tcp(31, 100, ['192.0.0.0/2'])]),
    ])
    expect(judge(sg(), three)).toBe(true)
    expect(sgEvidence({}, three).matchedRules.map((m) => `${m.groupId}/${m.rule}`)).toEqual([
      'sg-1/0',
      'sg-2/0',
      'sg-3/0',
    ])
    // A rule that matches on its own is listed once, not again as a part of a union.
    const whole = resource([
      group('sg-1', [tcp(22, 22, ['0.0.0.0/0', '0.0.0.0/1']), tcp(22, 22, ['128.0.0.0/1'])]),
    ])
    expect(sgEvidence({}, whole).matchedRules.map((m) => [m.rule, m.sources])).toEqual([[0, ['0.0.0.0/0']]])
    // udp and tcp never add up, nor ICMP types with each other; all traffic adds to ICMP.
    const mixed = resource([
      group('sg-1', [tcp(53, 53, ['0.0.0.0/1']), { ...tcp(53, 53, ['128.0.0.0/1']), IpProtocol: 'udp' }]),
    ])
    expect(judge(sg(), mixed)).toBe(false)
    const echo = (cidr: string, type = 8) => ({
      IpProtocol: 'icmp',
      FromPort: type,
      ToPort: -1,
      IpRanges: [{ CidrIp: cidr }],
    })
    expect(judge(sg(), resource([group('sg-1', [echo('0.0.0.0/1'), echo('128.0.0.0/1', 0)])]))).toBe(false)
    expect(judge(sg(), resource([group('sg-1', [echo('0.0.0.0/1'), echo('128.0.0.0/1')])]))).toBe(true)
    // Every ICMP type (-1) adds up with one type; every code with one code; ICMPv6 is apart.
    const icmp = (cidr: string, type: number, code: number, protocol = 'icmp') => ({
      IpProtocol: protocol,
      FromPort: type,
      ToPort: code,
      IpRanges: [{ CidrIp: cidr }],
    })
    const anyType = resource([group('sg-1', [icmp('0.0.0.0/1', -1, -1), icmp('128.0.0.0/1', 8, 0)])])
    expect(judge(sg({ protocol: 'icmp' }), anyType)).toBe(true)
    expect(sgEvidence({}, anyType).matchedRules.map((m) => m.rule)).toEqual([0, 1])
    const anyCode = resource([group('sg-1', [icmp('0.0.0.0/1', 3, -1), icmp('128.0.0.0/1', 3, 4)])])
    expect(judge(sg(), anyCode)).toBe(true)
    const codes = resource([group('sg-1', [icmp('0.0.0.0/1', 3, 1), icmp('128.0.0.0/1', 3, 4)])])
    expect(judge(sg(), codes)).toBe(false)
    const v6 = resource([group('sg-1', [icmp('0.0.0.0/1', -1, -1), icmp('128.0.0.0/1', -1, -1, '58')])])
    expect(judge(sg(), v6)).toBe(false)
    const gre = { IpProtocol: '47', IpRanges: [{ CidrIp: '0.0.0.0/1' }] }
    expect(
      judge(sg(), resource([group('sg-1', [gre, { ...gre, IpRanges: [{ CidrIp: '128.0.0.0/1' }] }])]))
    ).toBe(true)
    expect(
      judge(
        sg(),
        resource([group('sg-1', [gre, { ...gre, IpProtocol: '50', IpRanges: [{ CidrIp: '128.0.0.0/1' }] }])])
      )
    ).toBe(false)
    expect(
      judge(
        sg({ protocol: 'icmp' }),
        resource([group('sg-1', [echo('0.0.0.0/1'), allTraffic(['128.0.0.0/1'])])])
      )
    ).toBe(true)
    // The resource's own port.
    const own = resource([
      group('sg-1', [tcp(5000, 6000, ['0.0.0.0/1'])]),
      group('sg-2', [allTraffic(['128.0.0.0/1'])]),
    ])
    expect(judge(sg({ ports: { mode: 'resource' } }), own)).toBe(true)
    expect(judge(sg({ ports: { mode: 'resource' } }), { ...own, Endpoint: { Port: 3306 } })).toBe(false)
  })

  it('a CIDR source: "all" needs the rule to admit the whole CIDR, "any" a part of it', () => {
    const item = resource([group('sg-1', [tcp(5432, 5432, ['10.1.0.0/16'])])])
    expect(judge(sg({ source: { kind: 'cidr', cidr: '10.1.2.0/24' } }), item)).toBe(true)
    expect(judge(sg({ source: { kind: 'cidr', cidr: '10.0.0.0/8' } }), item)).toBe(false)
    expect(judge(sg({ source: { kind: 'cidr', cidr: '10.0.0.0/8', match: 'any' } }), item)).toBe(true)
    expect(judge(sg({ source: { kind: 'cidr', cidr: '192.168.0.0/16', match: 'any' } }), item)).toBe(false)
    expect(judge(sg({ source: { kind: 'cidr', cidr: '2001:db8::/32', match: 'any' } }), item)).toBe(false)
    const world = resource([group('sg-1', [tcp(5432, 5432, WORLD)])])
    expect(judge(sg({ source: { kind: 'cidr', cidr: '203.0.113.7' } }), world)).toBe(true)
  })

  it('a security group source matches group-to-group rules naming it', () => {
    const item = resource([
      group('sg-1', [tcp(5432, 5432, [], { UserIdGroupPairs: [{ GroupId: 'sg-app', UserId: '1' }] })]),
    ])
    expect(judge(sg({ source: { kind: 'securityGroup', groupId: 'sg-app' } }), item)).toBe(true)
    expect(judge(sg({ source: { kind: 'securityGroup', groupId: 'sg-other' } }), item)).toBe(false)
    expect(judge(sg(), item)).toBe(false)
  })
})

describe('security group condition: protocols and ports', () => {
  it('all-traffic (-1) rules have no ports and open every one', () => {
    const item = resource([group('sg-1', [allTraffic(WORLD)])])
    expect(judge(sg({ ports: { mode: 'range', from: 5432, to: 5432 } }), item)).toBe(true)
    expect(judge(sg({ ports: { mode: 'range', from: 0, to: 65535 }, portMatch: 'all' }), item)).toBe(true)
    expect(judge(sg({ protocol: 'tcp' }), item)).toBe(true)
    expect(judge(sg({ protocol: 'all' }), item)).toBe(true)
    expect(sgEvidence({}, item).matchedRules[0]).toEqual({
      groupId: 'sg-1',
      groupName: 'name-sg-1',
      rule: 0,
      protocol: '-1',
      sources: ['0.0.0.0/0'],
    })
  })

  it('protocol choices admit the rule protocols that carry them, names or numbers', () => {
    const item = resource([group('sg-1', [tcp(53, 53, WORLD, { IpProtocol: '17' })])])
    expect(judge(sg({ protocol: 'udp' }), item)).toBe(true)
    expect(judge(sg({ protocol: 'tcp' }), item)).toBe(false)
    expect(judge(sg({ protocol: 'all' }), item)).toBe(false)
    expect(judge(sg({ protocol: 'any' }), item)).toBe(true)
    const numbered = resource([group('sg-1', [tcp(22, 22, WORLD, { IpProtocol: '6' })])])
    expect(judge(sg({ protocol: 'tcp', ports: { mode: 'range', from: 22, to: 22 } }), numbered)).toBe(true)
  })

  it('ICMP type/code values are not ports', () => {
    const item = resource([group('sg-1', [icmpAll])])
    expect(judge(sg(), item)).toBe(true)
    expect(judge(sg({ protocol: 'icmp' }), item)).toBe(true)
    expect(judge(sg({ protocol: 'tcp' }), item)).toBe(false)
    expect(judge(sg({ ports: { mode: 'range', from: 0, to: 65535 } }), item)).toBe(false)
    expect(judge(sg({ ports: { mode: 'resource' } }), item)).toBe(false)
    const echo = resource([group('sg-1', [{ ...icmpAll, FromPort: 8, ToPort: 0 }])])
    expect(judge(sg({ ports: { mode: 'range', from: 0, to: 10 } }), echo)).toBe(false)
  })

  it('ICMP with a port range is refused as config', () => {
    const result = criteriaSchema.safeParse(
      sg({ protocol: 'icmp', ports: { mode: 'range', from: 1, to: 2 } })
    )
    expect(result.success).toBe(false)
    expect(result.error!.issues[0]!.path).toEqual(['conditions', 0, 'ports'])
  })

  it('"reaches any port" vs "opens the whole range"', () => {
    const item = resource([group('sg-1', [tcp(3000, 4000, WORLD)])])
    const range = (from: number, to: number, portMatch: string) =>
      sg({ ports: { mode: 'range', from, to }, portMatch })
    expect(judge(range(3300, 3400, 'any'), item)).toBe(true)
    expect(judge(range(3300, 3400, 'all'), item)).toBe(true)
    expect(judge(range(3900, 4100, 'any'), item)).toBe(true)
    expect(judge(range(3900, 4100, 'all'), item)).toBe(false)
    expect(judge(range(4001, 5000, 'any'), item)).toBe(false)
    expect(judge(range(4000, 4000, 'all'), item)).toBe(true)
  })

  it('a TCP rule without FromPort/ToPort opens every port', () => {
    const item = resource([group('sg-1', [{ IpProtocol: 'tcp', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }])])
    expect(judge(sg({ ports: { mode: 'range', from: 1, to: 65535 }, portMatch: 'all' }), item)).toBe(true)
  })

  it("the resource's own port; unknown when the resource has none yet", () => {
    const own = sg({ ports: { mode: 'resource', key: 'Endpoint.Port' } })
    const rangeRule = group('sg-1', [tcp(3000, 4000, WORLD)])
    expect(judge(own, resource([rangeRule], { Endpoint: { Port: 3306 } }))).toBe(true)
    expect(judge(own, resource([rangeRule], { Endpoint: { Port: 5432 } }))).toBe(false)
    expect(judge(own, resource([rangeRule], { Endpoint: { Port: '3306' } }))).toBe(true)
    const creating = { Endpoint: undefined, DBInstanceStatus: 'creating' }
    expect(judge(own, resource([rangeRule], creating))).toBe('unknown')
    expect(judge(own, resource([group('sg-1', [allTraffic(WORLD)])], creating))).toBe(true)
    expect(judge(own, resource([group('sg-1', [tcp(0, 65535, WORLD)])], creating))).toBe(true)
    expect(judge(own, resource([group('sg-1', [tcp(5432, 5432, ['10.0.0.0/8'])])], creating))).toBe(false)
    expect(judge(own, resource([rangeRule], { Endpoint: { Port: 0 } }))).toBe('unknown')
    const evidence = sgEvidence({ ports: { mode: 'resource' } }, resource([rangeRule], creating))
    expect(evidence.ports).toBeNull()
    expect(evidence.undecidedRules).toEqual([
      { groupId: 'sg-1', rule: 0, reason: 'the resource port is unknown and the rule opens only some ports' },
    ])
  })

  it('port, protocol and source must hold on the same rule', () => {
    const item = resource([group('sg-1', [tcp(22, 22, WORLD), tcp(5432, 5432, ['10.0.0.0/8'])])])
    expect(judge(sg({ ports: { mode: 'range', from: 5432, to: 5432 } }), item)).toBe(false)
  })
})

describe('security group condition: data shapes', () => {
  it('reads rules without Ipv6Ranges or PrefixListIds (2016-era)', () => {
    const item = resource([
      group('sg-1', [
        {
          IpProtocol: 'tcp',
          FromPort: 3306,
          ToPort: 3306,
          IpRanges: [{ CidrIp: '0.0.0.0/0' }],
          UserIdGroupPairs: [],
        },
      ]),
    ])
    expect(judge(sg({ source: { kind: 'public' } }), item)).toBe(true)
  })

  it('resolves managed prefix lists from the data, and is unknown without them', () => {
    const rule = tcp(443, 443, [], { PrefixListIds: [{ PrefixListId: 'pl-1' }] })
    const lists = (cidrs: string[]) => ({
      PrefixLists: [{ PrefixListId: 'pl-1', Entries: cidrs.map((Cidr) => ({ Cidr })) }],
    })
    expect(judge(sg(), resource([group('sg-1', [rule])], lists(['0.0.0.0/0'])))).toBe(true)
    expect(judge(sg(), resource([group('sg-1', [rule])], lists(['0.0.0.0/1', '128.0.0.0/1'])))).toBe(true)
    expect(judge(sg(), resource([group('sg-1', [rule])], lists(['10.0.0.0/8'])))).toBe(false)
    expect(judge(sg(), resource([group('sg-1', [rule])]))).toBe('unknown')
    expect(judge(sg(), resource([group('sg-1', [rule, tcp(22, 22, WORLD)])]))).toBe(true)
    expect(
      sgEvidence({}, resource([group('sg-1', [rule])], lists(['0.0.0.0/0']))).matchedRules[0]!.sources
    ).toEqual(['pl-1: 0.0.0.0/0'])
    expect(sgEvidence({}, resource([group('sg-1', [rule])])).undecidedRules).toEqual([
      { groupId: 'sg-1', rule: 0, reason: 'prefix list pl-1 is not in the data' },
    ])
  })

  it('group-to-group references are reported, never public by themselves', () => {
    const ref = tcp(5432, 5432, [], { UserIdGroupPairs: [{ GroupId: 'sg-web', UserId: '1' }] })
    const item = resource([group('sg-db', [ref])])
    expect(judge(sg(), item)).toBe(false)
    expect(sgEvidence({}, item).references).toEqual([
      { groupId: 'sg-db', rule: 0, referencedGroupId: 'sg-web', followed: false },
    ])
  })

  it('follows a reference one level when asked: the referenced group admits the source', () => {
    const ref = tcp(5432, 5432, [], { UserIdGroupPairs: [{ GroupId: 'sg-web', UserId: '1' }] })
    const web = group('sg-web', [tcp(443, 443, WORLD)])
    const follow = sg({ followReferences: true })
    expect(judge(follow, resource([group('sg-db', [ref])], { ReferencedSecurityGroups: [web] }))).toBe(true)
    // The referenced group may also be attached to the resource itself.
    expect(judge(follow, resource([group('sg-db', [ref]), web]))).toBe(true)
    const privateWeb = group('sg-web', [tcp(443, 443, ['10.0.0.0/8'])])
    expect(judge(follow, resource([group('sg-db', [ref])], { ReferencedSecurityGroups: [privateWeb] }))).toBe(
      false
    )
    expect(judge(follow, resource([group('sg-db', [ref])]))).toBe('unknown')
    // One level only: a reference of the referenced group is not followed further.
    const chain = group('sg-web', [tcp(443, 443, [], { UserIdGroupPairs: [{ GroupId: 'sg-edge' }] })])
    const edge = group('sg-edge', [tcp(443, 443, WORLD)])
    expect(
      judge(follow, resource([group('sg-db', [ref])], { ReferencedSecurityGroups: [chain, edge] }))
    ).toBe(false)
  })

  it('an attached group nobody described makes the condition unknown, unless another rule decides', () => {
    const described = group('sg-1', [tcp(5432, 5432, ['10.0.0.0/8'])])
    const item = resource([described], {
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-1' }, { VpcSecurityGroupId: 'sg-missing' }],
    })
    expect(judge(sg(), item)).toBe('unknown')
    expect(sgEvidence({}, item)).toMatchObject({
      groups: ['sg-1'],
      unresolvedGroups: ['sg-missing'],
      matched: null,
    })
    const stub = resource([described, { GroupId: 'sg-stub', GroupName: 'x' }], {
      VpcSecurityGroups: undefined,
    })
    expect(judge(sg(), stub)).toBe('unknown')
    const open = resource([group('sg-1', [tcp(22, 22, WORLD)])], {
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-1' }, { VpcSecurityGroupId: 'sg-missing' }],
    })
    expect(judge(sg(), open)).toBe(true)
  })

  it('reads the ids the AWS Resource node reports as undescribed (_qflow.unresolved)', () => {
    // An EC2 instance: its SecurityGroups list is replaced by the described groups, so the
    // missing one is only in the node's report.
    const ec2 = {
      InstanceId: 'i-1',
      SecurityGroups: [group('sg-1', [tcp(22, 22, ['10.0.0.0/8'])])],
      _qflow: { resourceId: 'i-1', unresolved: { SecurityGroups: ['sg-gone'] } },
    }
    expect(judge(sg(), ec2)).toBe('unknown')
    expect(sgEvidence({}, ec2).unresolvedGroups).toEqual(['sg-gone'])
    expect(judge(sg(), { ...ec2, _qflow: { resourceId: 'i-1' } })).toBe(false)
  })

  it('a resource without groups has no open rule', () => {
    expect(
      judge(sg(), { DBInstanceIdentifier: 'classic', DBSecurityGroups: [{ DBSecurityGroupName: 'default' }] })
    ).toBe(false)
    expect(judge(sg(), resource([]))).toBe(false)
    expect(judge(sg(), resource([group('sg-1', [])]))).toBe(false)
  })

  it('a security group resource (EC2 DescribeSecurityGroups) is judged on its own rules', () => {
    const item = { ...group('sg-9', [tcp(22, 22, WORLD)]), VpcId: 'vpc-1', _qflow: { resourceId: 'sg-9' } }
    expect(judge(sg(), item)).toBe(true)
    expect(sgEvidence({}, item).groups).toEqual(['sg-9'])
    expect(judge(sg(), group('sg-9', [tcp(22, 22, ['10.0.0.0/8'])]))).toBe(false)
  })

  it('outbound reads IpPermissionsEgress and says so', () => {
    const item = resource([group('sg-1', [], [allTraffic(WORLD)])])
    expect(judge(sg({ direction: 'inbound' }), item)).toBe(false)
    expect(judge(sg({ direction: 'outbound' }), item)).toBe(true)
    expect(sgEvidence({ direction: 'outbound' }, item)).toMatchObject({
      direction: 'outbound',
      read: 'IpPermissionsEgress',
    })
    expect(sgEvidence({}, item)).toMatchObject({ direction: 'inbound', read: 'IpPermissions' })
  })

  it('a range that is not a CIDR makes its rule unknown, unless another range decides it', () => {
    const banana = resource([group('sg-1', [tcp(22, 22, ['banana'])])])
    expect(judge(sg(), banana)).toBe('unknown')
    expect(sgEvidence({}, banana).undecidedRules).toEqual([
      { groupId: 'sg-1', rule: 0, reason: '"banana" is not a CIDR' },
    ])
    expect(judge(sg({ not: true }), banana)).toBe('unknown')
    expect(judge(sg(), resource([group('sg-1', [tcp(22, 22, ['banana', '0.0.0.0/0'])])]))).toBe(true)
    const noCidr = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ Description: 'x' }] }
    expect(judge(sg(), resource([group('sg-1', [noCidr])]))).toBe('unknown')
    const badV6 = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::g/0' }] }
    expect(judge(sg({ source: { kind: 'public' } }), resource([group('sg-1', [badV6])]))).toBe('unknown')
    // Not a question for rules whose traffic does not match anyway.
    expect(judge(sg({ ports: { mode: 'range', from: 80, to: 80 } }), banana)).toBe(false)
    const prefixList = resource(
      [group('sg-1', [tcp(22, 22, [], { PrefixListIds: [{ PrefixListId: 'pl-1' }] })])],
      {
        PrefixLists: [{ PrefixListId: 'pl-1', Entries: [{ Cidr: 'nope' }] }],
      }
    )
    expect(judge(sg(), prefixList)).toBe('unknown')
  })

  it('a group without the list of rules the direction reads is unknown; an empty list is no rules', () => {
    const noInbound = { GroupId: 'sg-9', GroupName: 'x', IpPermissionsEgress: [allTraffic(WORLD)] }
    expect(judge(sg(), resource([noInbound]))).toBe('unknown')
    expect(sgEvidence({}, resource([noInbound])).unresolvedGroups).toEqual(['sg-9'])
    expect(judge(sg({ direction: 'outbound' }), resource([noInbound]))).toBe(true)
    // An EC2 Security Groups resource without IpPermissions, or with neither list.
    expect(judge(sg(), { ...noInbound, VpcId: 'vpc-1' })).toBe('unknown')
    expect(judge(sg(), { GroupId: 'sg-9', GroupName: 'x', VpcId: 'vpc-1' })).toBe('unknown')
    expect(judge(sg({ not: true }), { GroupId: 'sg-9', GroupName: 'x' })).toBe('unknown')
    expect(judge(sg(), { GroupId: 'sg-9', IpPermissions: [] })).toBe(false)
  })

  it('a rule without IpProtocol cannot be judged', () => {
    expect(judge(sg(), resource([group('sg-1', [{ IpRanges: [{ CidrIp: '0.0.0.0/0' }] }])]))).toBe('unknown')
  })

  it('NOT of an unknown security-group condition stays unknown', () => {
    const item = resource([], { VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-missing' }] })
    expect(judge(sg({ not: true }), item)).toBe('unknown')
    expect(judge(sg({ not: true }), resource([group('sg-1', [tcp(1, 1, WORLD)])]))).toBe(false)
  })
})

describe('security group evidence order', () => {
  it('lists every matched rule in the same order whatever order AWS returned groups and rules in', () => {
    const a = group('sg-b', [tcp(22, 22, WORLD), allTraffic(WORLD), tcp(80, 80, WORLD)])
    const b = group('sg-a', [tcp(443, 443, ['::/0', '0.0.0.0/0']), tcp(5432, 5432, ['10.0.0.0/8'])])
    const shuffled = (g: Record<string, any>) => ({ ...g, IpPermissions: [...g.IpPermissions].reverse() })
    const condition = { source: { kind: 'public' } }
    const one = sgEvidence(condition, resource([a, b]))
    const two = sgEvidence(condition, resource([shuffled(b), shuffled(a)]))
    const summary = (e: typeof one) =>
      e.matchedRules.map((m) => [m.groupId, m.protocol, m.fromPort, m.sources.join('+')])
    expect(summary(one)).toEqual([
      ['sg-a', 'tcp', 443, '0.0.0.0/0+::/0'],
      ['sg-b', '-1', undefined, '0.0.0.0/0'],
      ['sg-b', 'tcp', 22, '0.0.0.0/0'],
      ['sg-b', 'tcp', 80, '0.0.0.0/0'],
    ])
    expect(summary(two)).toEqual(summary(one))
    expect(one.groups).toEqual(['sg-a', 'sg-b'])
    // The same group id twice (two copies, rules in another order) still gives one sorted list.
    const twice = sgEvidence(condition, resource([a, b, shuffled(a)]))
    expect(twice.groups).toEqual(['sg-a', 'sg-b', 'sg-b'])
    expect(summary(twice)).toEqual([
      ['sg-a', 'tcp', 443, '0.0.0.0/0+::/0'],
      ['sg-b', '-1', undefined, '0.0.0.0/0'],
      ['sg-b', '-1', undefined, '0.0.0.0/0'],
      ['sg-b', 'tcp', 22, '0.0.0.0/0'],
      ['sg-b', 'tcp', 22, '0.0.0.0/0'],
      ['sg-b', 'tcp', 80, '0.0.0.0/0'],
      ['sg-b', 'tcp', 80, '0.0.0.0/0'],
    ])
  })
})

describe('security group condition: groups shared by many resources', () => {
  it('answers remembered for one resource are the same as a fresh evaluation for the next', () => {
    // The AWS Resource node attaches one group object to every resource listing it; the
    // condition remembers each group's answer per run. Every resource here is judged by one
    // compiled criteria (remembered answers) and by a fresh one, by test and by explain.
    const open = group('sg-open', [tcp(22, 22, WORLD)])
    const low = group('sg-low', [tcp(80, 80, ['0.0.0.0/1']), tcp(443, 443, ['10.0.0.0/8'])])
    const high = group('sg-high', [tcp(80, 80, ['128.0.0.0/1'])])
    const ssh = group('sg-ssh', [tcp(22, 22, ['128.0.0.0/1'])])
    const lists = group('sg-pl', [
      tcp(5432, 5432, [], { PrefixListIds: [{ PrefixListId: 'pl-1' }] }),
      tcp(5432, 5432, ['10.0.0.0/8'], { UserIdGroupPairs: [{ GroupId: 'sg-app' }] }),
    ])
    const noProtocol = group('sg-odd', [{ IpRanges: [{ CidrIp: '0.0.0.0/0' }] }])
    const v6 = group('sg-v6', [tcp(22, 22, ['::/0'])])
    const resources = [
      resource([low, high]),
      resource([high, low]),
      resource([low, ssh]),
      resource([low]),
      resource([open, low]),
      resource([low], {
        VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-gone' }, { VpcSecurityGroupId: 'sg-low' }],
      }),
      resource([high, low], {
        VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-low' }, { VpcSecurityGroupId: 'sg-high' }],
      }),
      resource([lists]),
      resource([lists], { PrefixLists: [{ PrefixListId: 'pl-1', Entries: [{ Cidr: '0.0.0.0/0' }] }] }),
      resource([lists]),
      resource([noProtocol, low]),
      resource([low, { GroupId: 'sg-stub' }]),
      resource([v6, low]),
      resource([low], { _qflow: { unresolved: { SecurityGroups: ['sg-x'] } } }),
    ]
    const expected = [
      true,
      true,
      false,
      false,
      true,
      'unknown',
      true,
      'unknown',
      true,
      'unknown',
      'unknown',
      'unknown',
      false,
      'unknown',
    ]
    for (const source of [
      { kind: 'publicIpv4' },
      { kind: 'public' },
      { kind: 'cidr', cidr: '10.0.0.0/8', match: 'all' },
    ]) {
      const criteria = sg({ source })
      const shared = compile(criteria)
      const sharedExplained = compile(criteria)
      const verdicts = resources.map((item) => {
        const fresh = judge(criteria, item)
        const truth = shared.test(item)
        expect(sharedExplained.explain(item).truth, JSON.stringify(item)).toBe(truth)
        // The verdict remembers lean answers (no references); evidence must not be read from them.
        expect(shared.explain(item), JSON.stringify(item)).toEqual(compile(criteria).explain(item))
        expect(truth === 2 ? 'unknown' : truth === 1, JSON.stringify(item)).toBe(fresh)
        return fresh
      })
      if (source.kind === 'publicIpv4') expect(verdicts).toEqual(expected)
      if (source.kind === 'public') expect(verdicts[12]).toBe(true)
    }
  })
})
