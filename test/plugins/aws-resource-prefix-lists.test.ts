import {
  AuthorizeSecurityGroupEgressCommand,
  CreateManagedPrefixListCommand,
  type EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ControlResult } from '../../plugins/totalcloud-control/results.ts'
import type { ClientDecorator, MiddlewareHost } from '../../server/aws/clients.ts'
import { gatewayFor, oneNodeFlow, outputOf, resourceControlFlow, runFlow } from '../support/aws.ts'
import { type Moto, startMoto } from '../support/moto.ts'
import { createDbInstances, createGroup, motoAccount, seedClients } from '../support/moto-seed.ts'
import { SAMPLE_CONTROL_CONFIG } from '../support/sample-criteria.ts'

/**
 * Managed prefix lists against moto (5.2.1 implements CreateManagedPrefixList,
 * DescribeManagedPrefixLists with the prefix-list-id filter, GetManagedPrefixListEntries and
 * prefix-list sources in security group rules): one list holding 0.0.0.0/0, one holding
 * 10.0.0.0/8, a group and a DB instance behind each.
 */
let moto: Moto
const lists: Record<string, string> = {}
const groups: Record<string, string> = {}
let instanceId: string

async function createPrefixList(ec2: EC2Client, name: string, cidr: string): Promise<string> {
  const { PrefixList } = await ec2.send(
    new CreateManagedPrefixListCommand({
      PrefixListName: name,
      AddressFamily: 'IPv4',
      MaxEntries: 5,
      Entries: [{ Cidr: cidr, Description: name }],
    })
  )
  return PrefixList!.PrefixListId!
}

const fromList = (list: string) => ({
  IpProtocol: 'tcp',
  FromPort: 5432,
  ToPort: 5432,
  PrefixListIds: [{ PrefixListId: list }],
})

beforeAll(async () => {
  moto = await startMoto()
  await moto.reset()
  const { ec2, rds } = seedClients(moto.endpoint, 'us-east-1')
  lists.public = await createPrefixList(ec2, 'anywhere', '0.0.0.0/0')
  lists.private = await createPrefixList(ec2, 'corporate', '10.0.0.0/8')
  lists.egress = await createPrefixList(ec2, 'backup-targets', '198.51.100.0/24')
  groups.public = await createGroup(ec2, 'via-public-list', [fromList(lists.public)])
  groups.private = await createGroup(ec2, 'via-private-list', [fromList(lists.private)])
  await ec2.send(
    new AuthorizeSecurityGroupEgressCommand({
      GroupId: groups.private,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, PrefixListIds: [{ PrefixListId: lists.egress }] },
      ],
    })
  )
  // Round robin: public-0000, public-0002 behind the public list; the odd ones behind the private one.
  await createDbInstances(rds, 'db', 4, [groups.public, groups.private])
  const run = await ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-12c6146b',
      MinCount: 1,
      MaxCount: 1,
      SecurityGroupIds: [groups.public],
    })
  )
  instanceId = run.Instances![0]!.InstanceId!
})

afterAll(async () => {
  await moto?.stop()
})

/** Counts calls per operation, and optionally denies some as IAM would. */
function decorator(deny: string[] = []) {
  const calls = new Map<string, number>()
  const decorate: ClientDecorator = (client) => {
    ;(client as MiddlewareHost).middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName).replace(/Command$/, '')
        calls.set(operation, (calls.get(operation) ?? 0) + 1)
        if (deny.includes(operation))
          throw Object.assign(new Error(`You are not authorized to perform: ec2:${operation}`), {
            name: 'UnauthorizedOperation',
            $fault: 'client',
            $metadata: { httpStatusCode: 403 },
          })
        return next(args)
      },
      { step: 'initialize', name: 'testPrefixListCalls' }
    )
  }
  return { decorate, count: (operation: string) => calls.get(operation) ?? 0 }
}

const dbs = { service: 'rds', method: 'DBInstances', addons: ['SecurityGroups', 'PrefixLists'] }
const verdicts = (result: Awaited<ReturnType<typeof runFlow>>) =>
  Object.fromEntries(
    (outputOf(result, 'node', 'results') as unknown as ControlResult[]).map((r) => [r.resourceId, r.result])
  )

describe('PrefixLists addon against moto', () => {
  it('attaches each list with its entries, asking once per list; public list FAIL, private PASS', async () => {
    const calls = decorator()
    const aws = gatewayFor([motoAccount('acct', moto.endpoint, ['us-east-1'])], { decorate: calls.decorate })
    const result = await runFlow(aws, resourceControlFlow(dbs, SAMPLE_CONTROL_CONFIG, ['acct']))
    expect(result.steps.find((s) => s.nodeId === 'resource')?.status).toBe('succeeded')
    const items = outputOf(result, 'resource') as any[]
    const behind = (name: string) => items.find((i) => i.DBInstanceIdentifier === name)
    expect(behind('db-0000').PrefixLists).toEqual([
      expect.objectContaining({
        PrefixListId: lists.public,
        PrefixListName: 'anywhere',
        Entries: [{ Cidr: '0.0.0.0/0', Description: 'anywhere' }],
      }),
    ])
    // The private group's outbound rule names a list too: both directions are fetched.
    expect(behind('db-0001').PrefixLists.map((l: any) => [l.PrefixListId, l.Entries[0].Cidr])).toEqual([
      [lists.private, '10.0.0.0/8'],
      [lists.egress, '198.51.100.0/24'],
    ])
    expect(items.every((i) => i._qflow.unresolved === undefined)).toBe(true)
    // Three lists, four instances sharing them: one describe call, one entries call per list.
    expect(calls.count('DescribeManagedPrefixLists')).toBe(1)
    expect(calls.count('GetManagedPrefixListEntries')).toBe(3)

    expect(verdicts(result)).toEqual({
      'db-0000': 'FAIL',
      'db-0001': 'PASS',
      'db-0002': 'FAIL',
      'db-0003': 'PASS',
    })
  })

  it('serves EC2 instances and security groups alike', async () => {
    const aws = gatewayFor([motoAccount('acct', moto.endpoint, ['us-east-1'])])
    const [instance] = outputOf(
      await runFlow(
        aws,
        oneNodeFlow(
          'aws-resource',
          { service: 'ec2', method: 'Instances', addons: ['SecurityGroups', 'PrefixLists'] },
          ['acct']
        )
      )
    ) as any[]
    expect(instance.InstanceId).toBe(instanceId)
    expect(instance.PrefixLists.map((l: any) => l.PrefixListId)).toEqual([lists.public])

    const sgs = outputOf(
      await runFlow(
        aws,
        oneNodeFlow('aws-resource', { service: 'ec2', method: 'SecurityGroups', addons: ['PrefixLists'] }, [
          'acct',
        ])
      )
    ) as any[]
    const byId = new Map(sgs.map((g) => [g.GroupId, g]))
    expect(byId.get(groups.public).PrefixLists[0].Entries).toEqual([
      { Cidr: '0.0.0.0/0', Description: 'anywhere' },
    ])
    expect(byId.get(groups.private).PrefixLists.map((l: any) => l.PrefixListId)).toEqual([
      lists.private,
      lists.egress,
    ])
  })

  it('leaves lists unresolved when describing them is denied: ERROR, never PASS, and the step says why', async () => {
    const calls = decorator(['DescribeManagedPrefixLists'])
    const aws = gatewayFor([motoAccount('acct', moto.endpoint, ['us-east-1'])], { decorate: calls.decorate })
    const result = await runFlow(aws, resourceControlFlow(dbs, SAMPLE_CONTROL_CONFIG, ['acct']))
    const step = result.steps.find((s) => s.nodeId === 'resource')!
    expect(step.status).toBe('partial')
    expect(step.warning?.message).toContain(
      'access denied, ids left unresolved: acct/us-east-1: PrefixLists DescribeManagedPrefixLists UnauthorizedOperation'
    )
    const items = outputOf(result, 'resource') as any[]
    expect(items).toHaveLength(4)
    expect(items.find((i) => i.DBInstanceIdentifier === 'db-0000')._qflow.unresolved).toEqual({
      PrefixLists: [lists.public],
    })
    expect(calls.count('GetManagedPrefixListEntries')).toBe(0)
    expect(verdicts(result)).toEqual({
      'db-0000': 'ERROR',
      'db-0001': 'ERROR',
      'db-0002': 'ERROR',
      'db-0003': 'ERROR',
    })
  })

  it('leaves a list unresolved when reading its entries is denied', async () => {
    const calls = decorator(['GetManagedPrefixListEntries'])
    const aws = gatewayFor([motoAccount('acct', moto.endpoint, ['us-east-1'])], { decorate: calls.decorate })
    const result = await runFlow(aws, resourceControlFlow(dbs, SAMPLE_CONTROL_CONFIG, ['acct']))
    const step = result.steps.find((s) => s.nodeId === 'resource')!
    expect(step.status).toBe('partial')
    expect(step.warning?.message).toContain(
      'PrefixLists GetManagedPrefixListEntries UnauthorizedOperation for'
    )
    const db = (outputOf(result, 'resource') as any[]).find((i) => i.DBInstanceIdentifier === 'db-0001')
    expect(db.PrefixLists).toEqual([])
    expect(db._qflow.unresolved.PrefixLists.sort()).toEqual([lists.private, lists.egress].sort())
    expect(verdicts(result)).toEqual({
      'db-0000': 'ERROR',
      'db-0001': 'ERROR',
      'db-0002': 'ERROR',
      'db-0003': 'ERROR',
    })
  })
})
