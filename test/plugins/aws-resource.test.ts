import {
  CreateSnapshotCommand,
  CreateSubnetCommand,
  CreateVolumeCommand,
  CreateVpcCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2'
import { CreateDBClusterCommand, CreateDBSnapshotCommand } from '@aws-sdk/client-rds'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MiddlewareHost } from '../../server/aws/clients.ts'
import { gatewayFor, oneNodeFlow, outputOf, runFlow } from '../support/aws.ts'
import { type Moto, startMoto } from '../support/moto.ts'
import { createDbInstances, createGroup, motoAccount, seedClients } from '../support/moto-seed.ts'

let moto: Moto
const east: Record<string, string> = {}
const west: Record<string, string> = {}
let ec2InstanceId: string

/** Counts calls per region and operation as they leave the SDK: proves paging and batching. */
function callCounter() {
  const calls = new Map<string, number>()
  return {
    count: (region: string, operation: string) => calls.get(`${region} ${operation}`) ?? 0,
    decorate(client: unknown, spec: { region: string }) {
      ;(client as MiddlewareHost).middlewareStack.add(
        (next, context) => (args) => {
          const key = `${spec.region} ${String(context.commandName).replace(/Command$/, '')}`
          calls.set(key, (calls.get(key) ?? 0) + 1)
          return next(args)
        },
        { step: 'initialize', name: 'testCallCounter' }
      )
    },
  }
}

beforeAll(async () => {
  moto = await startMoto()
  await moto.reset()
  const e = seedClients(moto.endpoint, 'us-east-1')
  east.open = await createGroup(e.ec2, 'world-postgres', [
    { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
  ])
  east.office = await createGroup(e.ec2, 'office-only', [
    { IpProtocol: 'tcp', FromPort: 3306, ToPort: 3306, IpRanges: [{ CidrIp: '198.51.100.0/24' }] },
  ])
  east.v6 = await createGroup(e.ec2, 'world-v6', [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }])
  await createDbInstances(e.rds, 'east', 130, [east.open, east.office, east.v6], { publicEvery: 10 })
  const w = seedClients(moto.endpoint, 'eu-west-1')
  west.ssh = await createGroup(w.ec2, 'ssh-world', [
    { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
  ])
  await createDbInstances(w.rds, 'west', 7, [west.ssh])

  // Other resource kinds, east only.
  await e.rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: 'aurora-main',
      Engine: 'aurora-postgresql',
      MasterUsername: 'admin',
      MasterUserPassword: 'password-123',
      VpcSecurityGroupIds: [east.open],
    })
  )
  await e.rds.send(
    new CreateDBSnapshotCommand({
      DBInstanceIdentifier: 'east-0001',
      DBSnapshotIdentifier: 'east-0001-manual',
    })
  )
  const vpc = await e.ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))
  await e.ec2.send(new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId!, CidrBlock: '10.20.1.0/24' }))
  const run = await e.ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-12c6146b',
      MinCount: 1,
      MaxCount: 1,
      SecurityGroupIds: [east.open, east.office],
    })
  )
  ec2InstanceId = run.Instances![0]!.InstanceId!
  const volume = await e.ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 8 }))
  await e.ec2.send(new CreateSnapshotCommand({ VolumeId: volume.VolumeId! }))
})

afterAll(async () => {
  await moto?.stop()
})

const rdsInstances = { service: 'rds', method: 'DBInstances', addons: ['SecurityGroups'] }

describe('aws-resource against moto', () => {
  it('lists every page in both regions at once, with security groups attached in one batch per region', async () => {
    const counter = callCounter()
    const aws = gatewayFor([motoAccount('acct', moto.endpoint, ['us-east-1', 'eu-west-1'])], {
      decorate: counter.decorate,
    })
    const result = await runFlow(
      aws,
      oneNodeFlow('aws-resource', rdsInstances, ['acct'], ['us-east-1', 'eu-west-1'])
    )
    const items = outputOf(result)
    expect(items).toHaveLength(137)
    expect(items.filter((i: any) => i._qflow.region === 'us-east-1')).toHaveLength(130)
    expect(items.filter((i: any) => i._qflow.region === 'eu-west-1')).toHaveLength(7)
    // 130 instances at 100 a page: two pages; the groups, all known ids, in one filtered call.
    expect(counter.count('us-east-1', 'DescribeDBInstances')).toBe(2)
    expect(counter.count('us-east-1', 'DescribeSecurityGroups')).toBe(1)
    expect(counter.count('eu-west-1', 'DescribeSecurityGroups')).toBe(1)

    for (const item of items as any[]) {
      const attached = item.VpcSecurityGroups.map((g: any) => g.VpcSecurityGroupId)
      expect(item.SecurityGroups.map((g: any) => g.GroupId)).toEqual(attached)
      expect(item._qflow).toEqual({
        accountId: 'acct',
        awsAccountId: '123456789012',
        region: item._qflow.region,
        arn: item.DBInstanceArn,
        service: 'rds',
        method: 'rds.DBInstances',
        resourceId: item.DBInstanceIdentifier,
      })
      expect(typeof item.InstanceCreateTime).toBe('string')
    }
    const openOne = items.find((i: any) => i.DBInstanceIdentifier === 'east-0000') as any
    expect(openOne.SecurityGroups[0].IpPermissions[0].IpRanges).toEqual([{ CidrIp: '0.0.0.0/0' }])
    expect(openOne.PubliclyAccessible).toBe(true)
  })

  it('passes the call its own filters and refuses parameters the call does not take', async () => {
    const aws = gatewayFor([motoAccount('acct', moto.endpoint, ['us-east-1'])])
    const filtered = await runFlow(
      aws,
      oneNodeFlow(
        'aws-resource',
        { ...rdsInstances, params: { Filters: [{ Name: 'engine', Values: ['mysql'] }] } },
        ['acct']
      )
    )
    const items = outputOf(filtered)
    expect(items.length).toBeGreaterThan(0)
    expect(items.every((i) => i.Engine === 'mysql')).toBe(true)

    const bad = await runFlow(
      aws,
      oneNodeFlow('aws-resource', { ...rdsInstances, params: { GroupIds: ['sg-1'], MaxRecords: 'ten' } }, [
        'acct',
      ])
    )
    const step = bad.steps.find((s) => s.nodeId === 'node')!
    expect(step.status).toBe('failed')
    expect(step.error?.code).toBe('CONFIG_INVALID')
    expect(step.error?.message).toContain('DescribeDBInstances does not accept GroupIds')
    expect(step.error?.message).toContain('params.MaxRecords')
  })

  it('attaches security groups and volumes to EC2 instances', async () => {
    const aws = gatewayFor([motoAccount('acct', moto.endpoint, ['us-east-1'])])
    const result = await runFlow(
      aws,
      oneNodeFlow(
        'aws-resource',
        { service: 'ec2', method: 'Instances', addons: ['SecurityGroups', 'Volumes'] },
        ['acct']
      )
    )
    const [instance] = outputOf(result) as any[]
    expect(instance.InstanceId).toBe(ec2InstanceId)
    expect(instance.SecurityGroups.map((g: any) => g.GroupId).sort()).toEqual([east.open, east.office].sort())
    expect(instance.SecurityGroups[0].IpPermissions).toBeDefined()
    const rootVolume = instance.BlockDeviceMappings[0].Ebs.VolumeId
    expect(instance.Volumes.map((v: any) => v.VolumeId)).toEqual([rootVolume])
    expect(instance._qflow.arn).toBe(`arn:aws:ec2:us-east-1:123456789012:instance/${ec2InstanceId}`)
  })

  const others: [string, string, (items: any[]) => void][] = [
    [
      'rds',
      'DBClusters',
      (items) => expect(items.map((i) => i.DBClusterIdentifier)).toEqual(['aurora-main']),
    ],
    [
      'rds',
      'DBSnapshots',
      (items) => expect(items.map((i) => i.DBSnapshotIdentifier)).toContain('east-0001-manual'),
    ],
    [
      'ec2',
      'SecurityGroups',
      (items) => expect(items.map((i) => i.GroupId)).toEqual(expect.arrayContaining(Object.values(east))),
    ],
    ['ec2', 'Vpcs', (items) => expect(items.map((i) => i.CidrBlock)).toContain('10.20.0.0/16')],
    ['ec2', 'Subnets', (items) => expect(items.map((i) => i.CidrBlock)).toContain('10.20.1.0/24')],
    ['ec2', 'Volumes', (items) => expect(items.length).toBeGreaterThanOrEqual(2)],
    ['ec2', 'Snapshots', (items) => expect(items.length).toBeGreaterThanOrEqual(1)],
  ]
  for (const [service, method, check] of others) {
    it(`lists ${service} ${method}`, async () => {
      const aws = gatewayFor([motoAccount('acct', moto.endpoint, ['us-east-1'])])
      const items = outputOf(await runFlow(aws, oneNodeFlow('aws-resource', { service, method }, ['acct'])))
      check(items)
      for (const item of items as any[]) {
        expect(item._qflow.resourceId).not.toBe('')
        expect(item._qflow.arn).toMatch(/^arn:aws:(rds|ec2):us-east-1:/)
      }
    })
  }

  it('fails the node with every region named when no region can be listed', async () => {
    const aws = gatewayFor([{ ...motoAccount('acct', 'http://127.0.0.1:9', ['us-east-1']) }])
    const result = await runFlow(aws, oneNodeFlow('aws-resource', rdsInstances, ['acct', 'nobody']))
    const step = result.steps.find((s) => s.nodeId === 'node')!
    expect(step.status).toBe('failed')
    expect(step.error?.code).toBe('AWS_ALL_FAILED')
    expect(step.error?.message).toContain('nobody/*: ACCOUNT_UNKNOWN')
    expect(step.error?.message).toContain('acct/us-east-1: ECONNREFUSED')
  })
})
