import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MiddlewareHost } from '../../server/aws/clients.ts'
import { gatewayFor, oneNodeFlow, outputOf, resourceActionFlow, runFlow } from '../support/aws.ts'
import { type Moto, startMoto } from '../support/moto.ts'
import { createDbInstances, createGroup, motoAccount, seedClients } from '../support/moto-seed.ts'

/**
 * Faults moto cannot produce, injected at the SDK level (inside the retry loop, where a real
 * service error would surface): a throttling burst and access denied in one region.
 */
let moto: Moto

function awsError(name: string, status: number, message: string) {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } })
}

beforeAll(async () => {
  moto = await startMoto()
  await moto.reset()
  for (const region of ['us-east-1', 'eu-west-1']) {
    const { rds, ec2 } = seedClients(moto.endpoint, region)
    const group = await createGroup(ec2, 'g', [])
    await createDbInstances(rds, region, 5, [group])
  }
})
afterAll(async () => {
  await moto?.stop()
})

const dbs = { service: 'rds', method: 'DBInstances', addons: ['SecurityGroups'] }

describe('AWS faults', () => {
  it('rides out a throttling burst with adaptive retry', async () => {
    let throttled = 0
    const aws = gatewayFor([motoAccount('acct', moto.endpoint, ['us-east-1'])], {
      decorate(client, spec) {
        if (spec.service !== 'rds') return
        ;(client as MiddlewareHost).middlewareStack.add(
          (next) => async (args) => {
            if (throttled < 3) {
              throttled++
              throw awsError('Throttling', 400, 'Rate exceeded')
            }
            return next(args)
          },
          { step: 'deserialize', name: 'testThrottle' }
        )
      },
    })
    const result = await runFlow(aws, oneNodeFlow('aws-resource', dbs, ['acct']))
    expect(throttled).toBe(3)
    expect(result.steps.find((s) => s.nodeId === 'node')?.status).toBe('succeeded')
    expect(outputOf(result)).toHaveLength(5)
  })

  it('records access denied in one region while the other finishes; the step ends partial', async () => {
    const aws = gatewayFor([motoAccount('acct', moto.endpoint, ['us-east-1', 'eu-west-1'])], {
      decorate(client, spec) {
        if (spec.region !== 'eu-west-1') return
        ;(client as MiddlewareHost).middlewareStack.add(
          () => async () => {
            throw awsError('AccessDenied', 403, 'User is not authorized to perform: rds:DescribeDBInstances')
          },
          { step: 'deserialize', name: 'testDenied' }
        )
      },
    })
    const result = await runFlow(aws, oneNodeFlow('aws-resource', dbs, ['acct']))
    const step = result.steps.find((s) => s.nodeId === 'node')!
    expect(step.status).toBe('partial')
    expect(step.warning?.message).toContain('acct/eu-west-1: AccessDenied (User is not authorized')
    expect(step.warning?.details).toEqual({
      failures: [
        {
          accountId: 'acct',
          region: 'eu-west-1',
          code: 'AccessDenied',
          status: 403,
          message: 'User is not authorized to perform: rds:DescribeDBInstances',
        },
      ],
    })
    const items = outputOf(result)
    expect(items).toHaveLength(5)
    expect(items.every((i: any) => i._qflow.region === 'us-east-1')).toBe(true)
  })
})

describe('snapshot accounts', () => {
  const snapshot = {
    id: 'snap',
    kind: 'snapshot' as const,
    regions: ['us-east-1', 'eu-west-1'],
    snapshot: {
      files: {
        'rds.DescribeDBInstances.json': {
          DBInstances: [{ DBInstanceIdentifier: 'a', VpcSecurityGroups: [] }],
        },
        'rds.DescribeDBInstances.page2.json': { DBInstances: [{ DBInstanceIdentifier: 'b' }] },
      },
    },
  }

  it('simulates actions and records them on the run, sending nothing', async () => {
    const result = await runFlow(
      gatewayFor([snapshot]),
      resourceActionFlow(
        dbs,
        { service: 'rds', action: 'DeleteDBInstance', dryRun: false },
        ['snap'],
        ['us-east-1']
      )
    )
    const out = outputOf(result) as any[]
    expect(out.map((o) => [o.resourceId, o.status])).toEqual([
      ['a', 'simulated'],
      ['b', 'simulated'],
    ])
    expect(out[0].calls[0].input).toEqual({
      DBInstanceIdentifier: 'a',
      SkipFinalSnapshot: false,
      FinalDBSnapshotIdentifier: 'a-final',
    })
  })

  it('a region without a recording fails alone', async () => {
    const result = await runFlow(
      gatewayFor([{ ...snapshot, regions: ['us-east-1', 'ap-south-1'] }]),
      oneNodeFlow('aws-resource', dbs, ['snap'])
    )
    const step = result.steps.find((s) => s.nodeId === 'node')!
    expect(step.status).toBe('partial')
    expect(outputOf(result).map((i) => i.DBInstanceIdentifier)).toEqual(['a', 'b'])
    expect(step.warning?.message).toContain('snap/ap-south-1: RegionNotRecorded')
  })
})
