import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createClient } from '@libsql/client'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngine } from '../../core/engine/engine.ts'
import { flowSchema } from '../../core/flow/schema.ts'
import { createRegistry } from '../../core/plugin/registry.ts'
import { builtinPlugins } from '../../plugins/index.ts'
import { seedDemoAccount } from '../../server/aws/demo.ts'
import { createAwsGateway, type ServerAwsGateway } from '../../server/aws/gateway.ts'
import { createSecretBox } from '../../server/aws/secrets.ts'
import { createAccountRepo } from '../../server/repos/accounts.ts'
import { oneNodeFlow, outputOf, runFlow } from '../support/aws.ts'

const ROOT = resolve(import.meta.dirname, '../..')
let folder: string
let client: ReturnType<typeof createClient>
let gateway: ServerAwsGateway

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'qflow-demo-'))
  client = createClient({ url: `file:${join(folder, 'qflow.db')}` })
  const db = drizzle(client)
  await migrate(db, { migrationsFolder: join(ROOT, 'server/db/migrations') })
  const repo = createAccountRepo(db)
  expect(await seedDemoAccount(repo)).toBe(true)
  expect(await seedDemoAccount(repo)).toBe(false)
  gateway = createAwsGateway({ accounts: repo, secrets: createSecretBox('') })
})
afterAll(() => {
  client?.close()
  rmSync(folder, { recursive: true, force: true })
})

describe('the demo account and the sample QFlow', () => {
  it('the example flow imports as is and lists the demo estate with groups attached, offline', async () => {
    const document = JSON.parse(readFileSync(join(ROOT, 'examples/public-rds.qflow.json'), 'utf8'))
    const flow = { ...flowSchema.parse(document), id: 'sample' }
    // Nothing in the file is dropped or defaulted differently: it round-trips as written.
    expect(flowSchema.parse(document)).toEqual(document)
    const engine = createEngine({ registry: createRegistry(builtinPlugins), services: { aws: gateway } })
    const result = await engine.run({ runId: 'demo-1', flow, until: 'rds-instances' })
    const items = outputOf(result, 'rds-instances') as any[]
    expect(items).toHaveLength(16)
    const byRegion = (region: string) =>
      items.filter((i) => i._qflow.region === region).map((i) => i.DBInstanceIdentifier)
    expect(byRegion('us-east-1')).toHaveLength(11)
    expect(byRegion('eu-west-1')).toEqual([
      'eu-shop-pg',
      'eu-shop-aurora-1',
      'eu-shop-aurora-2',
      'eu-logs-mysql',
      'eu-search-pg',
    ])
    expect(new Set(items.map((i) => i.Engine))).toEqual(
      new Set([
        'postgres',
        'mysql',
        'mariadb',
        'sqlserver-se',
        'oracle-se2',
        'aurora-postgresql',
        'aurora-mysql',
      ])
    )
    for (const item of items) {
      const ids = (item.VpcSecurityGroups ?? []).map((m: any) => m.VpcSecurityGroupId)
      const unresolved = item._qflow.unresolved?.SecurityGroups ?? []
      expect([...item.SecurityGroups.map((g: any) => g.GroupId), ...unresolved].sort()).toEqual(ids.sort())
      expect(item._qflow.arn).toBe(
        `arn:aws:rds:${item._qflow.region}:111122223333:db:${item.DBInstanceIdentifier}`
      )
    }
    const creating = items.find((i) => i.DBInstanceIdentifier === 'new-postgres-creating')
    expect(creating.Endpoint).toBeUndefined()
    expect(creating._qflow.unresolved).toEqual({ SecurityGroups: ['sg-0e1a0000000000dead'] })
    const legacy = items.find((i) => i.DBInstanceIdentifier === 'legacy-mysql-56')
    expect(legacy.InstanceCreateTime).toBe('2016-09-08T21:37:09.570Z')
    expect('PubliclyAccessible' in legacy).toBe(false)
  })

  it('the prefix-list variant resolves the recorded lists: eu-search-pg PASSes, nothing else moves', async () => {
    const read = (name: string) => JSON.parse(readFileSync(join(ROOT, 'examples', name), 'utf8'))
    const sample = read('public-rds.qflow.json')
    const variant = read('public-rds-prefix-lists.qflow.json')
    // The sample plus the addon (and the lists in the evidence), not a fork of it.
    const resource = variant.nodes.find((n: any) => n.id === 'rds-instances')
    expect(resource.config.addons).toEqual(['SecurityGroups', 'PrefixLists'])
    expect(variant.edges).toEqual(sample.edges)

    const engine = createEngine({ registry: createRegistry(builtinPlugins), services: { aws: gateway } })
    const verdictsOf = async (document: unknown) => {
      const result = await engine.run({ runId: 'demo-pl', flow: { ...flowSchema.parse(document), id: 'pl' } })
      const rows = outputOf(result, 'public-rds-control', 'results') as any[]
      return { result, verdicts: new Map(rows.map((r) => [r.resourceId, r.result])) }
    }
    const before = (await verdictsOf(sample)).verdicts
    const { result, verdicts: after } = await verdictsOf(variant)
    const moved = [...after].filter(([id, verdict]) => before.get(id) !== verdict)
    expect(moved).toEqual([['eu-search-pg', 'PASS']])
    expect(before.get('eu-search-pg')).toBe('ERROR')

    const items = outputOf(result, 'rds-instances') as any[]
    const search = items.find((i) => i.DBInstanceIdentifier === 'eu-search-pg')
    expect(search.PrefixLists.map((l: any) => [l.PrefixListName, l.Entries.map((e: any) => e.Cidr)])).toEqual(
      [['search-indexers', ['10.40.0.0/20', '192.0.2.0/28']]]
    )
    const oracle = items.find((i) => i.DBInstanceIdentifier === 'crm-oracle')
    expect(oracle.PrefixLists.map((l: any) => l.PrefixListName)).toEqual(['corp-offices'])
    expect(items.every((i) => i._qflow.unresolved?.PrefixLists === undefined)).toBe(true)
  })

  it('serves EC2 instances with groups and volumes, clusters and snapshots', async () => {
    const ec2 = outputOf(
      await runFlow(
        gateway,
        oneNodeFlow(
          'aws-resource',
          { service: 'ec2', method: 'Instances', addons: ['SecurityGroups', 'Volumes'] },
          ['demo']
        )
      )
    ) as any[]
    expect(ec2.map((i) => i.InstanceId)).toHaveLength(5)
    const web = ec2.find((i) => i.InstanceId === 'i-0e1a00000000000a2')
    expect(web.SecurityGroups.map((g: any) => g.GroupName)).toEqual(['web-public', 'app-tier'])
    expect(web.Volumes.map((v: any) => v.Size)).toEqual([30, 200])
    const clusters = outputOf(
      await runFlow(gateway, oneNodeFlow('aws-resource', { service: 'rds', method: 'DBClusters' }, ['demo']))
    )
    expect(clusters.map((c) => c.DBClusterIdentifier)).toEqual([
      'analytics-aurora',
      'billing-aurora',
      'eu-shop-aurora',
    ])
    const filtered = outputOf(
      await runFlow(
        gateway,
        oneNodeFlow(
          'aws-resource',
          {
            service: 'rds',
            method: 'DBInstances',
            params: { Filters: [{ Name: 'engine', Values: ['aurora-*'] }] },
          },
          ['demo'],
          ['us-east-1']
        )
      )
    )
    expect(filtered.map((i) => i.DBInstanceIdentifier)).toEqual([
      'analytics-aurora-1',
      'analytics-aurora-2',
      'billing-aurora-writer',
    ])
  })
})
