import { describe, expect, it } from 'vitest'
import type { AccountRecord } from '../../../server/aws/account.ts'
import { loadRecording } from '../../../server/aws/snapshot/load.ts'
import { createAnswer } from '../../../server/aws/snapshot/replay.ts'
import { gatewayFor, oneNodeFlow, outputOf, runFlow } from '../../support/aws.ts'

/** us-east-1 recorded DB instances (one, and an empty cluster listing); eu-west-1 only security groups. */
const snapshot: Partial<AccountRecord> = {
  id: 'snap',
  kind: 'snapshot',
  awsAccountId: '123456789012',
  regions: ['us-east-1', 'eu-west-1'],
  snapshot: {
    files: {
      'rds.DescribeDBInstances.json': {
        DBInstances: [{ DBInstanceIdentifier: 'db-1', VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-1' }] }],
      },
      'rds.DescribeDBClusters.json': { DBClusters: [] },
      'eu-west-1/ec2.DescribeSecurityGroups.json': { SecurityGroups: [] },
    },
  },
}

const listInstances = (regions: string[], addons: string[] = []) =>
  runFlow(
    gatewayFor([snapshot]),
    oneNodeFlow('aws-resource', { service: 'rds', method: 'DBInstances', addons }, ['snap'], regions)
  )

const stepOf = (result: Awaited<ReturnType<typeof listInstances>>) =>
  result.steps.find((s) => s.nodeId === 'node')!

describe('a snapshot account answers only what it recorded', () => {
  it('fails a region it never recorded instead of listing nothing there', async () => {
    const step = stepOf(await listInstances(['ap-south-1']))
    expect(step.status).toBe('failed')
    expect(step.error?.message).toContain('snap/ap-south-1: RegionNotRecorded')
  })

  it('fails a recorded region that has no recording of the call', async () => {
    const step = stepOf(await listInstances(['eu-west-1']))
    expect(step.status).toBe('failed')
    expect(step.error?.message).toContain('snap/eu-west-1: OperationNotRecorded')
  })

  it('lists the regions it has and reports the others as partial, as for access denied', async () => {
    const result = await listInstances(['us-east-1', 'eu-west-1', 'ap-south-1'])
    const step = stepOf(result)
    expect(step.status).toBe('partial')
    expect(step.warning?.message).toMatch(/2 account region\(s\) failed, 1 listed/)
    expect(outputOf(result).map((i) => i.DBInstanceIdentifier)).toEqual(['db-1'])
  })

  it('treats a recorded empty listing as a real empty listing', async () => {
    const result = await runFlow(
      gatewayFor([snapshot]),
      oneNodeFlow('aws-resource', { service: 'rds', method: 'DBClusters' }, ['snap'], ['us-east-1'])
    )
    expect(stepOf(result).status).toBe('succeeded')
    expect(outputOf(result)).toEqual([])
  })

  it('leaves ids an addon looks up without a recording unresolved, in the evidence', async () => {
    const result = await listInstances(['us-east-1'], ['SecurityGroups'])
    expect(stepOf(result).status).toBe('succeeded')
    const [item] = outputOf(result) as any[]
    expect(item._qflow.unresolved).toEqual({ SecurityGroups: ['sg-1'] })
  })

  it('refuses an unrecorded listing at the replay itself', async () => {
    const recording = await loadRecording(snapshot.snapshot!, snapshot.regions)
    const answer = createAnswer(recording, 'eu-west-1', 'rds', { accountId: 'snap' })
    expect(() => answer('DescribeDBInstances', {})).toThrow(
      /no rds:DescribeDBInstances recording for eu-west-1/
    )
    expect(
      createAnswer(recording, 'us-east-1', 'rds', { accountId: 'snap' })('DescribeDBClusters', {})
    ).toEqual({
      DBClusters: [],
    })
  })
})
