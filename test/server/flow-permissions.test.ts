import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../support/server.ts'

let server: TestServer
beforeEach(async () => {
  server = await startTestServer()
})
afterEach(async () => {
  await server.close()
})

const remediation = () => JSON.parse(readFileSync('examples/public-rds-remediate.qflow.json', 'utf8'))

describe('IAM permissions a flow needs', () => {
  it('lists each AWS node’s calls for its configuration, and their union', async () => {
    expect((await server.call('POST', '/api/flows/import', remediation())).status).toBe(201)
    const res = await server.call('GET', '/api/flows/public-rds-remediate/permissions')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      nodes: [
        {
          nodeId: 'rds-instances',
          type: 'aws-resource',
          permissions: ['rds:DescribeDBInstances', 'ec2:DescribeSecurityGroups'],
        },
        { nodeId: 'make-private', type: 'aws-action', permissions: ['rds:ModifyDBInstance'] },
      ],
      permissions: ['ec2:DescribeSecurityGroups', 'rds:DescribeDBInstances', 'rds:ModifyDBInstance'],
    })
  })

  it('follows the configuration: waiting for completion adds the waiter’s describe call', async () => {
    const flow = remediation()
    const action = flow.nodes.find((node: { id: string }) => node.id === 'make-private')
    action.config.waitForCompletion = true
    await server.call('POST', '/api/flows/import', flow)
    const body = (await (
      await server.call('GET', '/api/flows/public-rds-remediate/permissions')
    ).json()) as any
    expect(body.nodes[1].permissions).toEqual(['rds:ModifyDBInstance', 'rds:DescribeDBInstances'])
  })

  it('the node type manifests list everything the type may call', async () => {
    const types = (await (await server.call('GET', '/api/node-types')).json()) as any
    const manifest = (type: string) => types.items.find((item: any) => item.type === type)
    expect(manifest('aws-action').permissions).toEqual(
      expect.arrayContaining(['ec2:RevokeSecurityGroupIngress', 'ec2:StopInstances', 'rds:ModifyDBInstance'])
    )
    expect(manifest('aws-resource').permissions).toEqual(
      expect.arrayContaining([
        'rds:DescribeDBClusters',
        'ec2:DescribeVolumes',
        'ec2:DescribeManagedPrefixLists',
      ])
    )
  })
})
