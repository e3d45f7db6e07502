import { CreateDBInstanceCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sdkAwsExecutor } from '../../server/plugins/aws-gateway.ts'
import { startMoto } from '../support/moto-server.ts'
import { fixture, type LoadedHost, loadTestHost, pluginStep } from '../support/plugin-host.ts'

const ACCOUNT = '123456789012'
const targets = { accounts: [ACCOUNT], regions: ['us-east-1'] }

describe('ctx.aws.call: the host makes AWS calls for a community plugin', () => {
  let moto: Awaited<ReturnType<typeof startMoto>>
  let loaded: LoadedHost
  let rds: RDSClient
  const asked: { service: string; account: string; region: string }[] = []

  beforeAll(async () => {
    moto = await startMoto()
    // The host's client, with the credentials the plugin never sees.
    rds = new RDSClient({
      region: 'us-east-1',
      endpoint: moto.url,
      credentials: { accessKeyId: 'host-only-key', secretAccessKey: 'host-only-secret' },
    })
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'orders-db',
        DBInstanceClass: 'db.t3.micro',
        Engine: 'postgres',
        MasterUsername: 'admin',
        MasterUserPassword: 'password123',
        AllocatedStorage: 20,
      })
    )
    loaded = await loadTestHost([{ source: fixture('plugins/aws-lister'), hosts: [] }], {
      aws: sdkAwsExecutor((service, account, region) => {
        asked.push({ service, account, region })
        return rds
      }),
    })
  })
  afterAll(async () => {
    await loaded?.host.close()
    rds?.destroy()
    await moto?.close()
  })

  it('returns the SDK reply as JSON to the plugin, for the run account and region', async () => {
    const result = await loaded.run('rds-lister', {}, [], { targets })
    expect(pluginStep(result).error).toBeUndefined()
    expect(pluginStep(result).output).toEqual({ out: [{ id: 'orders-db', engine: 'postgres' }] })
    expect(asked.at(-1)).toEqual({ service: 'rds', account: ACCOUNT, region: 'us-east-1' })
  })

  it('refuses an operation the node type did not declare among its permissions', async () => {
    const result = await loaded.run('rds-lister', { operation: 'DeleteDBInstance' }, [], { targets })
    expect(pluginStep(result).error).toMatchObject({
      code: 'PLUGIN_DENIED',
      message:
        'plugin "fixture-aws-lister": ctx.aws.call: rds:DeleteDBInstance is not among the permissions node type "rds-lister" declares (rds:DescribeDBInstances)',
    })
    const still = await rds.send(new DescribeDBInstancesCommand({}))
    expect(still.DBInstances?.map((db) => db.DBInstanceIdentifier)).toEqual(['orders-db'])
  })

  it('asks for an account when the run targets none', async () => {
    const result = await loaded.run('rds-lister', {}, [], {
      targets: { accounts: [], regions: ['us-east-1'] },
    })
    expect(pluginStep(result).error?.message).toContain(
      'ctx.aws.call: name the account; this run targets none'
    )
  })
})
