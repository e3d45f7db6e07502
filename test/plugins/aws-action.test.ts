import {
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2'
import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { gatewayFor, outputOf, resourceActionFlow, resourceControlFlow, runFlow } from '../support/aws.ts'
import { type Moto, startMoto } from '../support/moto.ts'
import { createDbInstances, createGroup, motoAccount, seedClients } from '../support/moto-seed.ts'
import { publicTcpPortCriteria } from '../support/sample-criteria.ts'

let moto: Moto
let clients: ReturnType<typeof seedClients>
let groups: { open: string; office: string }

const dbs = { service: 'rds', method: 'DBInstances', addons: ['SecurityGroups'] }
const aws = () => gatewayFor([motoAccount('acct', moto.endpoint, ['us-east-1'])])
const dbState = async () => {
  const { DBInstances = [] } = await clients.rds.send(new DescribeDBInstancesCommand({}))
  return new Map(DBInstances.map((db) => [db.DBInstanceIdentifier!, db]))
}
const step = (result: Awaited<ReturnType<typeof runFlow>>) => result.steps.find((s) => s.nodeId === 'node')!

beforeAll(async () => {
  moto = await startMoto()
})
afterAll(async () => {
  await moto?.stop()
})
beforeEach(async () => {
  // Each test starts from the same small estate: three databases, one world-open group.
  await moto.reset()
  clients = seedClients(moto.endpoint, 'us-east-1')
  groups = {
    open: await createGroup(clients.ec2, 'world', [
      {
        IpProtocol: 'tcp',
        FromPort: 5432,
        ToPort: 5432,
        IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '10.0.0.0/8' }],
      },
      { IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
    ]),
    office: await createGroup(clients.ec2, 'office', [
      { IpProtocol: 'tcp', FromPort: 3306, ToPort: 3306, IpRanges: [{ CidrIp: '198.51.100.0/24' }] },
    ]),
  }
  await createDbInstances(clients.rds, 'db', 3, [groups.open, groups.office], { publicEvery: 1 })
})

describe('aws-action against moto', () => {
  it('dry run is the default: records the exact call per resource and changes nothing', async () => {
    const result = await runFlow(
      aws(),
      resourceActionFlow(dbs, { service: 'rds', action: 'ModifyDBInstance' }, ['acct'])
    )
    const out = outputOf(result)
    expect(out).toHaveLength(3)
    expect(out.find((o) => o.resourceId === 'db-0000')).toEqual({
      resourceId: 'db-0000',
      // The AWS account id, as control results name it; qflow's own account id beside it.
      accountId: '123456789012',
      qflowAccountId: 'acct',
      region: 'us-east-1',
      action: 'rds.ModifyDBInstance',
      status: 'dry-run',
      calls: [
        {
          service: 'rds',
          operation: 'ModifyDBInstance',
          input: { DBInstanceIdentifier: 'db-0000', PubliclyAccessible: false, ApplyImmediately: true },
        },
      ],
    })
    for (const db of (await dbState()).values()) expect(db.PubliclyAccessible).toBe(true)
  })

  it('ModifyDBInstance makes instances private and waits with the SDK waiter', async () => {
    const result = await runFlow(
      aws(),
      resourceActionFlow(
        dbs,
        {
          service: 'rds',
          action: 'ModifyDBInstance',
          dryRun: false,
          waitForCompletion: true,
          waitPollSeconds: 1,
        },
        ['acct']
      )
    )
    const out = outputOf(result) as any[]
    expect(out.map((o) => o.status)).toEqual(['succeeded', 'succeeded', 'succeeded'])
    expect(out[0].waited).toEqual({ waiter: 'DBInstanceAvailable', states: ['SUCCESS'] })
    expect(out[0].responses[0].DBInstance.DBInstanceIdentifier).toBe(out[0].resourceId)
    for (const db of (await dbState()).values()) expect(db.PubliclyAccessible).toBe(false)
  })

  it('StopDBInstance stops each instance', async () => {
    const result = await runFlow(
      aws(),
      resourceActionFlow(dbs, { service: 'rds', action: 'StopDBInstance', dryRun: false }, ['acct'])
    )
    expect(outputOf(result).map((o) => o.status)).toEqual(['succeeded', 'succeeded', 'succeeded'])
    for (const db of (await dbState()).values()) expect(db.DBInstanceStatus).toBe('stopped')
  })

  it('CreateDBSnapshot names snapshots from the item and waits for them', async () => {
    const result = await runFlow(
      aws(),
      resourceActionFlow(
        { ...dbs, params: { DBInstanceIdentifier: 'db-0001' } },
        {
          service: 'rds',
          action: 'CreateDBSnapshot',
          dryRun: false,
          waitForCompletion: true,
          waitPollSeconds: 1,
        },
        ['acct']
      )
    )
    const [only] = outputOf(result) as any[]
    expect(only.status).toBe('succeeded')
    expect(only.waited.states).toEqual(['SUCCESS'])
    const { DBSnapshots = [] } = await clients.rds.send(
      new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: 'db-0001-qflow' })
    )
    expect(DBSnapshots[0]?.DBInstanceIdentifier).toBe('db-0001')
  })

  it('DeleteDBInstance deletes and waits until the instance is gone', async () => {
    const result = await runFlow(
      aws(),
      resourceActionFlow(
        { ...dbs, params: { DBInstanceIdentifier: 'db-0002' } },
        {
          service: 'rds',
          action: 'DeleteDBInstance',
          params: { SkipFinalSnapshot: true, FinalDBSnapshotIdentifier: null },
          dryRun: false,
          waitForCompletion: true,
          waitPollSeconds: 1,
        },
        ['acct']
      )
    )
    const [only] = outputOf(result) as any[]
    expect(only.calls[0].input).toEqual({ DBInstanceIdentifier: 'db-0002', SkipFinalSnapshot: true })
    expect(only.status).toBe('succeeded')
    expect(only.waited.waiter).toBe('DBInstanceDeleted')
    expect([...(await dbState()).keys()].sort()).toEqual(['db-0000', 'db-0001'])
  })

  it('RevokeSecurityGroupIngress removes exactly the world-open permissions of the attached groups', async () => {
    const result = await runFlow(
      aws(),
      resourceActionFlow(
        { ...dbs, params: { DBInstanceIdentifier: 'db-0000' } },
        { service: 'ec2', action: 'RevokeSecurityGroupIngress', dryRun: false },
        ['acct']
      )
    )
    const [only] = outputOf(result) as any[]
    expect(only.status).toBe('succeeded')
    expect(only.calls).toEqual([
      {
        service: 'ec2',
        operation: 'RevokeSecurityGroupIngress',
        input: {
          GroupId: groups.open,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
            { IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
          ],
        },
      },
    ])
    const { SecurityGroups = [] } = await clients.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [groups.open] })
    )
    const rules = SecurityGroups[0]!.IpPermissions!
    expect(rules).toHaveLength(1)
    expect(rules[0]!.IpRanges!.map((r) => r.CidrIp)).toEqual(['10.0.0.0/8'])

    // db-0001 sits behind the office group only: nothing to revoke, so it is skipped, not failed.
    const quiet = await runFlow(
      aws(),
      resourceActionFlow(
        { ...dbs, params: { DBInstanceIdentifier: 'db-0001' } },
        { service: 'ec2', action: 'RevokeSecurityGroupIngress', dryRun: false },
        ['acct']
      )
    )
    expect(outputOf(quiet)[0]?.status).toBe('skipped')
  })

  it('after a TotalCloud Control, revokes only the rules that failed it: public IPv4 on 5432 leaves ::/0 and port 22', async () => {
    const mixed = await createGroup(clients.ec2, 'mixed', [
      { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
    ])
    await createDbInstances(clients.rds, 'pg', 1, [mixed])
    const base = resourceControlFlow(
      { ...dbs, params: { DBInstanceIdentifier: 'pg-0000' } },
      {
        criteria: publicTcpPortCriteria(5432),
      },
      ['acct']
    )
    const revoke = {
      id: 'revoke',
      type: 'aws-action',
      typeVersion: 1,
      config: { service: 'ec2', action: 'RevokeSecurityGroupIngress', dryRun: false },
    }
    const flow = {
      ...base,
      nodes: [...(base.nodes ?? []), revoke],
      edges: [...(base.edges ?? []), { id: 'e3', source: 'node', sourcePort: 'failed', target: 'revoke' }],
    }
    const result = await runFlow(aws(), flow)
    const [only] = outputOf(result, 'revoke') as any[]
    expect(only.status).toBe('succeeded')
    expect(only.calls.map((c: any) => c.input)).toEqual([
      {
        GroupId: mixed,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        ],
      },
    ])
    const { SecurityGroups = [] } = await clients.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [mixed] })
    )
    const left = SecurityGroups[0]!.IpPermissions!.flatMap((p) => [
      ...(p.IpRanges ?? []).map((r) => `${p.FromPort} ${r.CidrIp}`),
      ...(p.Ipv6Ranges ?? []).map((r) => `${p.FromPort} ${r.CidrIpv6}`),
    ])
    expect(left.sort()).toEqual(['22 0.0.0.0/0', '5432 ::/0'])
  })

  it('a security group many resources share is revoked once; every resource reports the shared outcome', async () => {
    // Thirty databases behind one world-open group: one revoke, not thirty (29 would fail NotFound).
    await moto.reset()
    const shared = await createGroup(clients.ec2, 'shared-world', [
      { IpProtocol: 'tcp', FromPort: 3306, ToPort: 3306, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
    ])
    await createDbInstances(clients.rds, 'many', 30, [shared])
    const many = dbs
    const revoke = { service: 'ec2', action: 'RevokeSecurityGroupIngress' }

    const planned = await runFlow(aws(), resourceActionFlow(many, { ...revoke, changeLimit: 1 }, ['acct']))
    const plannedOut = outputOf(planned) as any[]
    expect(plannedOut).toHaveLength(30)
    expect(plannedOut.every((o) => o.status === 'dry-run')).toBe(true)
    // The call is recorded on every resource, but planned once: the others point at the first.
    const own = plannedOut.filter((o) => !o.calls[0].sameCallAs)
    expect(own).toHaveLength(1)
    const first = own[0].resourceId
    const other = plannedOut.find((o) => o.resourceId !== first)
    expect(other.calls[0].sameCallAs).toBe(first)
    expect(other.note).toBe(`the same call is planned for ${first}; a real run makes it once`)
    // One distinct change, so a change limit of 1 lets it through.
    expect(step(planned).status).toBe('succeeded')

    const result = await runFlow(
      aws(),
      resourceActionFlow(many, { ...revoke, dryRun: false, changeLimit: 1 }, ['acct'])
    )
    const out = outputOf(result) as any[]
    expect(step(result).status).toBe('succeeded')
    expect(out.map((o) => o.status)).toEqual(Array(30).fill('succeeded'))
    const made = out.find((o) => o.resourceId === first)
    expect(made.note).toBeUndefined()
    expect(made.responses).toEqual([expect.objectContaining({ Return: true })])
    for (const o of out.filter((o) => o.resourceId !== first))
      expect(o).toMatchObject({
        status: 'succeeded',
        note: `already done by ${first} (the same call, made once)`,
        calls: [{ input: { GroupId: shared }, sameCallAs: first }],
      })
    const { SecurityGroups = [] } = await clients.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [shared] })
    )
    expect(SecurityGroups[0]!.IpPermissions).toEqual([])
  })

  it('the change limit counts distinct changes: two groups shared by all the databases are two', async () => {
    await moto.reset()
    const world = await createGroup(clients.ec2, 'world-again', [
      { IpProtocol: 'tcp', FromPort: 3306, ToPort: 3306, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
    ])
    const more = await createGroup(clients.ec2, 'more-world', [
      { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
    ])
    await createDbInstances(clients.rds, 'pair', 4, [more, world])
    const pairs = dbs
    const result = await runFlow(
      aws(),
      resourceActionFlow(
        pairs,
        { service: 'ec2', action: 'RevokeSecurityGroupIngress', dryRun: false, changeLimit: 1 },
        ['acct']
      )
    )
    expect(step(result).error?.code).toBe('CHANGE_LIMIT')
    expect(step(result).error?.message).toContain(
      '2 distinct changes would be made (to 4 resources), more than the change limit of 1'
    )
  })

  it('StopInstances and CreateTags act on EC2 instances, with a variable in the tags', async () => {
    const run = await clients.ec2.send(
      new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 2, MaxCount: 2 })
    )
    const ids = run.Instances!.map((i) => i.InstanceId!)
    const instances = { service: 'ec2', method: 'Instances' }
    const tagged = await runFlow(
      aws(),
      resourceActionFlow(
        instances,
        {
          service: 'ec2',
          action: 'CreateTags',
          params: { Tags: [{ Key: 'ticket', Value: '$wf.variables.ticket' }] },
          dryRun: false,
        },
        ['acct'],
        [],
        [{ name: 'ticket', type: 'string', value: 'SEC-42' }]
      )
    )
    expect(outputOf(tagged).map((o) => o.status)).toEqual(['succeeded', 'succeeded'])
    const stopped = await runFlow(
      aws(),
      resourceActionFlow(
        instances,
        {
          service: 'ec2',
          action: 'StopInstances',
          dryRun: false,
          waitForCompletion: true,
          waitPollSeconds: 1,
        },
        ['acct']
      )
    )
    expect(outputOf(stopped).map((o: any) => o.waited?.states)).toEqual([['SUCCESS'], ['SUCCESS']])
    const { Reservations = [] } = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }))
    for (const instance of Reservations.flatMap((r) => r.Instances ?? [])) {
      expect(instance.State?.Name).toBe('stopped')
      expect(instance.Tags).toEqual([{ Key: 'ticket', Value: 'SEC-42' }])
    }
  })

  it('the change limit stops a run before it touches any resource', async () => {
    const result = await runFlow(
      aws(),
      resourceActionFlow(dbs, { service: 'rds', action: 'StopDBInstance', dryRun: false, changeLimit: 2 }, [
        'acct',
      ])
    )
    expect(step(result).status).toBe('failed')
    expect(step(result).error?.code).toBe('CHANGE_LIMIT')
    expect(step(result).error?.message).toContain(
      '3 distinct changes would be made (to 3 resources), more than the change limit of 2'
    )
    for (const db of (await dbState()).values()) expect(db.DBInstanceStatus).toBe('available')
  })

  it('one failing resource does not stop the others; the step ends partial', async () => {
    const result = await runFlow(
      aws(),
      resourceActionFlow(
        dbs,
        {
          service: 'rds',
          action: 'ModifyDBInstance',
          // Only the first item maps to a database that does not exist.
          params: { DBInstanceIdentifier: 'obj.DBName' },
          dryRun: false,
        },
        ['acct']
      )
    )
    const out = outputOf(result) as any[]
    expect(out.every((o) => o.status === 'failed')).toBe(true)
    expect(out[0].error.code).toBe('DBInstanceNotFound')
    expect(step(result).status).toBe('partial')

    const mixed = await runFlow(
      aws(),
      resourceActionFlow(
        dbs,
        {
          service: 'rds',
          action: 'CreateDBSnapshot',
          params: { DBSnapshotIdentifier: 'same-name' },
          dryRun: false,
        },
        ['acct']
      )
    )
    const statuses = (outputOf(mixed) as any[]).map((o) => o.status).sort()
    expect(statuses).toEqual(['failed', 'failed', 'succeeded'])
  })

  it("acts on an earlier action's results: they name the AWS account, and the qflow account it goes through", async () => {
    const base = resourceActionFlow(dbs, { service: 'rds', action: 'ModifyDBInstance' }, ['acct'])
    const stop = {
      id: 'stop',
      type: 'aws-action',
      typeVersion: 1,
      config: {
        service: 'rds',
        action: 'StopDBInstance',
        params: { DBInstanceIdentifier: 'obj.resourceId' },
        dryRun: false,
      },
    }
    const flow = {
      ...base,
      nodes: [...(base.nodes ?? []), stop],
      edges: [...(base.edges ?? []), { id: 'e3', source: 'node', target: 'stop' }],
    }
    const result = await runFlow(aws(), flow)
    const stopped = outputOf(result, 'stop') as any[]
    expect(stopped).toHaveLength(3)
    for (const change of stopped) {
      expect(change).toMatchObject({ status: 'succeeded', accountId: '123456789012', qflowAccountId: 'acct' })
    }
    for (const db of (await dbState()).values()) expect(db.DBInstanceStatus).toBe('stopped')
  })

  it('says what a parameter takes when a value is neither that nor an expression', async () => {
    const { default: plugin } = await import('../../plugins/aws-action/index.ts')
    const issues = (params: Record<string, unknown>, action = 'ModifyDBInstance') =>
      plugin.config
        .safeParse({ service: action === 'CreateTags' ? 'ec2' : 'rds', action, params })
        .error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    expect(issues({ PubliclyAccessible: 'yes' })).toEqual([
      'params.PubliclyAccessible: expected a boolean (true or false), or an expression like obj.<path> or $wf.variables.<name>',
    ])
    expect(issues({ BackupRetentionPeriod: 1.5 })).toEqual([
      'params.BackupRetentionPeriod: expected a whole number, or an expression like obj.<path> or $wf.variables.<name>',
    ])
    expect(
      issues({ PubliclyAccessible: 'obj.wantPublic', BackupRetentionPeriod: '$wf.variables.days' })
    ).toBeUndefined()
    // A value of the right shape with one bad part keeps that part's path.
    expect(issues({ Tags: [{ Key: '', Value: 'x' }] }, 'CreateTags')).toEqual([
      expect.stringMatching(/^params\.Tags\.0\.Key: /),
    ])
  })

  it('lists the IAM permissions its configuration needs', async () => {
    const { default: plugin } = await import('../../plugins/aws-action/index.ts')
    const config = plugin.config.parse({
      service: 'rds',
      action: 'DeleteDBInstance',
      waitForCompletion: true,
    })
    expect(plugin.permissionsFor!(config)).toEqual(['rds:DeleteDBInstance', 'rds:DescribeDBInstances'])
    expect(
      plugin.config.safeParse({ service: 'rds', action: 'StopDBInstance', waitForCompletion: true }).error
        ?.issues[0]?.message
    ).toContain('has no SDK waiter')
  })
})
