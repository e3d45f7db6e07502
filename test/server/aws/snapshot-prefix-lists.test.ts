import { describe, expect, it } from 'vitest'
import type { ControlResult } from '../../../plugins/totalcloud-control/results.ts'
import type { AccountRecord } from '../../../server/aws/account.ts'
import { loadRecording } from '../../../server/aws/snapshot/load.ts'
import { createAnswer } from '../../../server/aws/snapshot/replay.ts'
import { gatewayFor, oneNodeFlow, outputOf, resourceControlFlow, runFlow } from '../../support/aws.ts'
import { SAMPLE_CONTROL_CONFIG } from '../../support/sample-criteria.ts'

/**
 * Managed prefix lists in a snapshot: the lists described by `DescribeManagedPrefixLists`, their
 * entries one `GetManagedPrefixListEntries` file per list (two files for one list are its pages).
 * `pl-norecord` is described but its entries were not recorded; `pl-never` is not described.
 */
const rule = (list: string) => ({
  IpProtocol: 'tcp',
  FromPort: 5432,
  ToPort: 5432,
  IpRanges: [],
  PrefixListIds: [{ PrefixListId: list }],
})
const group = (id: string, list: string) => ({ GroupId: id, GroupName: id, IpPermissions: [rule(list)] })
const db = (id: string, group: string) => ({
  DBInstanceIdentifier: id,
  DBName: id,
  PubliclyAccessible: false,
  VpcSecurityGroups: [{ VpcSecurityGroupId: group, Status: 'active' }],
})
const prefixList = (id: string, name: string) => ({
  PrefixListId: id,
  PrefixListName: name,
  AddressFamily: 'IPv4',
  State: 'create-complete',
  PrefixListArn: `arn:aws:ec2:us-east-1:123456789012:prefix-list/${id}`,
  MaxEntries: 10,
  Version: 1,
  OwnerId: '123456789012',
})

const files = {
  'rds.DescribeDBInstances.json': {
    DBInstances: [
      db('open-db', 'sg-open'),
      db('private-db', 'sg-private'),
      db('norecord-db', 'sg-norecord'),
      db('never-db', 'sg-never'),
    ],
  },
  'ec2.DescribeSecurityGroups.json': {
    SecurityGroups: [
      group('sg-open', 'pl-public'),
      group('sg-private', 'pl-private'),
      group('sg-norecord', 'pl-norecord'),
      group('sg-never', 'pl-never'),
    ],
  },
  'ec2.DescribeManagedPrefixLists.json': {
    PrefixLists: [
      prefixList('pl-public', 'anywhere'),
      prefixList('pl-private', 'corporate'),
      prefixList('pl-norecord', 'partners'),
    ],
  },
  'ec2.GetManagedPrefixListEntries.pl-public.json': {
    PrefixListId: 'pl-public',
    Entries: [{ Cidr: '0.0.0.0/0', Description: 'everyone' }],
  },
  'ec2.GetManagedPrefixListEntries.pl-private.page1.json': {
    PrefixListId: 'pl-private',
    Entries: [{ Cidr: '10.0.0.0/8', Description: 'corporate network' }],
  },
  'ec2.GetManagedPrefixListEntries.pl-private.page2.json': {
    PrefixListId: 'pl-private',
    Entries: [{ Cidr: '192.168.0.0/16' }],
  },
}
const snapshot: Partial<AccountRecord> = {
  id: 'snap',
  kind: 'snapshot',
  awsAccountId: '123456789012',
  regions: ['us-east-1'],
  snapshot: { files },
}

const dbs = (addons: string[]) => ({ service: 'rds', method: 'DBInstances', addons })
const stepOf = (result: Awaited<ReturnType<typeof runFlow>>, node = 'node') =>
  result.steps.find((s) => s.nodeId === node)!

describe('snapshot replay of managed prefix lists', () => {
  it('answers the entries of each recorded list, paged, and not-found for a list with none recorded', async () => {
    const recording = await loadRecording({ files }, ['us-east-1'])
    const answer = createAnswer(recording, 'us-east-1', 'ec2', { accountId: 'snap' })
    expect(answer('GetManagedPrefixListEntries', { PrefixListId: 'pl-public' })).toEqual({
      Entries: [{ Cidr: '0.0.0.0/0', Description: 'everyone' }],
    })
    const first = answer('GetManagedPrefixListEntries', { PrefixListId: 'pl-private', MaxResults: 1 })
    expect(first).toEqual({
      Entries: [{ Cidr: '10.0.0.0/8', Description: 'corporate network' }],
      NextToken: expect.any(String),
    })
    expect(
      answer('GetManagedPrefixListEntries', {
        PrefixListId: 'pl-private',
        MaxResults: 1,
        NextToken: first.NextToken,
      })
    ).toEqual({ Entries: [{ Cidr: '192.168.0.0/16' }] })
    expect(() => answer('GetManagedPrefixListEntries', { PrefixListId: 'pl-norecord' })).toThrow(
      expect.objectContaining({
        name: 'InvalidPrefixListID.NotFound',
        message: expect.stringContaining('pl-norecord'),
      })
    )
    // The lists themselves are a listing like any other, narrowed by the lookup filter.
    const found = answer('DescribeManagedPrefixLists', {
      Filters: [{ Name: 'prefix-list-id', Values: ['pl-public', 'pl-never'] }],
    })
    expect((found.PrefixLists as { PrefixListId: string }[]).map((l) => l.PrefixListId)).toEqual([
      'pl-public',
    ])
  })

  it('refuses an entries file that does not say which list it answers, when it is loaded', async () => {
    const loading = loadRecording({
      files: { 'ec2.GetManagedPrefixListEntries.json': { Entries: [{ Cidr: '10.0.0.0/8' }] } },
    })
    await expect(loading).rejects.toMatchObject({
      field: 'files.ec2.GetManagedPrefixListEntries.json',
      message: expect.stringMatching(
        /^does not look like a GetManagedPrefixListEntries response: no "PrefixListId"/
      ),
    })
  })
})

describe('the PrefixLists addon on a snapshot account', () => {
  it('attaches the lists of the attached groups with their entries; the control judges them', async () => {
    const result = await runFlow(
      gatewayFor([snapshot]),
      resourceControlFlow(dbs(['SecurityGroups', 'PrefixLists']), SAMPLE_CONTROL_CONFIG, ['snap'])
    )
    // A list the recording cannot describe is unresolved, not a step problem.
    expect(stepOf(result, 'resource').status).toBe('succeeded')
    const items = outputOf(result, 'resource') as any[]
    const byId = new Map(items.map((item) => [item.DBInstanceIdentifier, item]))
    expect(byId.get('open-db').PrefixLists).toEqual([
      { ...prefixList('pl-public', 'anywhere'), Entries: [{ Cidr: '0.0.0.0/0', Description: 'everyone' }] },
    ])
    expect(byId.get('private-db').PrefixLists[0].Entries.map((e: any) => e.Cidr)).toEqual([
      '10.0.0.0/8',
      '192.168.0.0/16',
    ])
    expect(byId.get('open-db')._qflow.unresolved).toBeUndefined()
    expect(byId.get('norecord-db').PrefixLists).toEqual([])
    expect(byId.get('norecord-db')._qflow.unresolved).toEqual({ PrefixLists: ['pl-norecord'] })
    expect(byId.get('never-db')._qflow.unresolved).toEqual({ PrefixLists: ['pl-never'] })

    const verdicts = Object.fromEntries(
      (outputOf(result, 'node', 'results') as unknown as ControlResult[]).map((r) => [r.resourceId, r.result])
    )
    expect(verdicts).toEqual({
      'open-db': 'FAIL',
      'private-db': 'PASS',
      'norecord-db': 'ERROR',
      'never-db': 'ERROR',
    })
  })

  it('without the addon every prefix-list rule stays unknown', async () => {
    const result = await runFlow(
      gatewayFor([snapshot]),
      resourceControlFlow(dbs(['SecurityGroups']), SAMPLE_CONTROL_CONFIG, ['snap'])
    )
    const results = outputOf(result, 'node', 'results') as unknown as ControlResult[]
    expect(results.map((r) => r.result)).toEqual(['ERROR', 'ERROR', 'ERROR', 'ERROR'])
  })

  it('refuses PrefixLists without SecurityGroups on an RDS instance, saying what to add', async () => {
    const result = await runFlow(
      gatewayFor([snapshot]),
      oneNodeFlow('aws-resource', dbs(['PrefixLists']), ['snap'])
    )
    const step = stepOf(result)
    expect(step.status).toBe('failed')
    expect(step.error?.code).toBe('CONFIG_INVALID')
    expect(step.error?.message).toContain(
      'addons.0: "PrefixLists" needs the "SecurityGroups" addon too: Prefix Lists are read from the Security Groups it attaches'
    )
  })

  it('on security groups themselves needs nothing else, and lists prefix lists with their entries', async () => {
    const aws = gatewayFor([snapshot])
    const groups = outputOf(
      await runFlow(
        aws,
        oneNodeFlow('aws-resource', { service: 'ec2', method: 'SecurityGroups', addons: ['PrefixLists'] }, [
          'snap',
        ])
      )
    ) as any[]
    const open = groups.find((g) => g.GroupId === 'sg-open')
    expect(open.PrefixLists.map((l: any) => [l.PrefixListId, l.Entries])).toEqual([
      ['pl-public', [{ Cidr: '0.0.0.0/0', Description: 'everyone' }]],
    ])

    const lists = outputOf(
      await runFlow(
        aws,
        oneNodeFlow('aws-resource', { service: 'ec2', method: 'ManagedPrefixLists' }, ['snap'])
      )
    ) as any[]
    expect(lists.map((l) => [l.PrefixListId, l.Entries?.length, l._qflow.unresolved])).toEqual([
      ['pl-public', 1, undefined],
      ['pl-private', 2, undefined],
      // Described, but what it admits is not known.
      ['pl-norecord', undefined, { Entries: ['pl-norecord'] }],
    ])
    expect(lists[0]._qflow.arn).toBe('arn:aws:ec2:us-east-1:123456789012:prefix-list/pl-public')
  })
})
