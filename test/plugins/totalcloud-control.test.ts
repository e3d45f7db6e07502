import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createEngine } from '../../core/engine/engine.ts'
import { flowSchema } from '../../core/flow/schema.ts'
import { defineNodeType } from '../../core/plugin/define.ts'
import { createRegistry } from '../../core/plugin/registry.ts'
import { planWorldOpenIngress } from '../../plugins/aws-action/world-open.ts'
import { builtinPlugins } from '../../plugins/index.ts'
import control from '../../plugins/totalcloud-control/index.ts'
import type { ControlResult } from '../../plugins/totalcloud-control/results.ts'
import { group, resource, tcp } from '../support/criteria.ts'
import { runPlugin } from '../support/node-context.ts'
import {
  publicTcpPortCriteria,
  SAMPLE_CONTROL_CONFIG,
  sampleCriteriaInput,
} from '../support/sample-criteria.ts'

const meta = (id: string) => ({
  accountId: '111122223333',
  region: 'eu-west-1',
  arn: `arn:aws:rds:eu-west-1:111122223333:db:${id}`,
  service: 'rds',
  method: 'DescribeDBInstances',
  resourceId: id,
})
const db = (
  id: string,
  extra: Record<string, unknown>,
  groups = [group('sg-private', [tcp(5432, 5432, ['10.0.0.0/8'])])]
) =>
  resource(groups, {
    DBInstanceIdentifier: id,
    DBName: `${id}_db`,
    PubliclyAccessible: false,
    _qflow: meta(id),
    ...extra,
  })

const publicDb = db('public', { PubliclyAccessible: true })
const openDb = db('open', {}, [group('sg-open', [tcp(5432, 5432, ['0.0.0.0/0'])])])
const privateDb = db('private', {})
const unknownDb = db('unknown', { VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-gone' }] }, [])

const results = (output: Record<string, unknown[]>) => output.results as unknown as ControlResult[]

describe('totalcloud-control node', () => {
  it('is registered with its ports and editor widgets', () => {
    expect(builtinPlugins.map((p) => p.manifest.type)).toContain('totalcloud-control')
    expect(control.manifest.inputs.map((p) => p.name)).toEqual(['in'])
    expect(control.manifest.outputs.map((p) => p.name)).toEqual(['failed', 'passed', 'results'])
    expect(control.manifest.widgets).toMatchObject({
      criteria: 'criteria-builder',
      evidenceKeys: 'evidence-keys',
    })
    const described = createRegistry(builtinPlugins)
      .describe()
      .find((d) => d.type === 'totalcloud-control')!
    expect(JSON.stringify(described.configSchema)).toContain('resourceIdKey')
  })

  it('asks a new node, without criteria, for a condition in words', () => {
    const issues = control.config.safeParse({}).error!.issues
    expect(issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['criteria', 'add at least one condition'],
    ])
  })

  it('judges each resource and routes it, unchanged, to failed or passed', async () => {
    const { output } = await runPlugin(control, SAMPLE_CONTROL_CONFIG, [
      publicDb,
      openDb,
      privateDb,
      unknownDb,
    ])
    // Failed on PubliclyAccessible alone: no rule to name, the item as it came.
    expect(output.failed![0]).toBe(publicDb)
    expect(output.failed![1]).toEqual({
      ...openDb,
      _qflow: {
        ...meta('open'),
        matchedRules: [
          {
            groupId: 'sg-open',
            direction: 'inbound',
            IpProtocol: 'tcp',
            FromPort: 5432,
            ToPort: 5432,
            IpRanges: [{ CidrIp: '0.0.0.0/0' }],
          },
        ],
      },
    })
    expect(openDb._qflow).toEqual(meta('open'))
    expect(output.passed).toEqual([privateDb])
    expect(results(output).map((r) => [r.resourceId, r.result])).toEqual([
      ['public', 'FAIL'],
      ['open', 'FAIL'],
      ['private', 'PASS'],
      ['unknown', 'ERROR'],
    ])
  })

  it('writes results in the shape the server stores, with the evidence asked for', async () => {
    const { output } = await runPlugin(control, SAMPLE_CONTROL_CONFIG, [openDb])
    const [result] = results(output)
    expect(result).toMatchObject({
      resourceId: 'open',
      displayName: 'open_db',
      result: 'FAIL',
      accountId: '111122223333',
      region: 'eu-west-1',
    })
    expect(Object.keys(result!).sort()).toEqual([
      'accountId',
      'displayName',
      'evidence',
      'region',
      'resourceId',
      'result',
    ])
    expect(result!.evidence.keys).toEqual({
      DBInstanceIdentifier: 'open',
      DBName: 'open_db',
      PubliclyAccessible: false,
      // A list of rules, whether there is one or many.
      'SecurityGroups.IpPermissions': openDb.SecurityGroups[0].IpPermissions,
    })
    const [param, sg] = result!.evidence.criteria!.conditions
    expect(param).toMatchObject({ key: 'PubliclyAccessible', observed: false, matched: false })
    expect(sg).toMatchObject({
      read: 'IpPermissions',
      matched: true,
      matchedRules: [
        {
          groupId: 'sg-open',
          rule: 0,
          protocol: 'tcp',
          fromPort: 5432,
          toPort: 5432,
          sources: ['0.0.0.0/0'],
        },
      ],
    })
    // Results are plain JSON: they survive storage unchanged.
    expect(JSON.parse(JSON.stringify(result))).toEqual(result)
  })

  it('failed items name the inbound rules that failed them, and a revoke takes exactly those', async () => {
    const mixed = db('mixed', {}, [
      group('sg-mixed', [
        tcp(5432, 5432, ['0.0.0.0/0']),
        tcp(5432, 5432, ['::/0']),
        tcp(22, 22, ['0.0.0.0/0']),
      ]),
    ])
    const onPort = (extra: Record<string, unknown> = {}) => ({ criteria: publicTcpPortCriteria(5432, extra) })
    const { output } = await runPlugin(control, onPort(), [mixed])
    const [failed] = output.failed as any[]
    const rule = { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }
    expect(failed._qflow.matchedRules).toEqual([{ groupId: 'sg-mixed', direction: 'inbound', ...rule }])
    expect(planWorldOpenIngress(failed, {})).toEqual([{ GroupId: 'sg-mixed', IpPermissions: [rule] }])
    // Straight from the AWS Resource node: every world-open range, as before.
    expect(planWorldOpenIngress(mixed, {})).toEqual([
      {
        GroupId: 'sg-mixed',
        IpPermissions: [
          rule,
          { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
          { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        ],
      },
    ])
    // A GroupId narrows the matched rules too; explicit IpPermissions are sent as given.
    expect(planWorldOpenIngress(failed, { GroupId: 'sg-other' })).toEqual([])
    const explicit = { GroupId: 'sg-mixed', IpPermissions: [] }
    expect(planWorldOpenIngress(failed, explicit)).toEqual([explicit])

    // Prefix lists and referenced groups are named as EC2 takes them back.
    const listed = db(
      'listed',
      { PrefixLists: [{ PrefixListId: 'pl-1', Entries: [{ Cidr: '0.0.0.0/0' }] }] },
      [
        group('sg-listed', [
          tcp(443, 443, [], { PrefixListIds: [{ PrefixListId: 'pl-1' }] }),
          tcp(443, 443, [], { UserIdGroupPairs: [{ GroupId: 'sg-lb' }] }),
        ]),
      ]
    )
    const fromLb = {
      criteria: {
        type: 'group',
        op: 'OR',
        conditions: [
          {
            type: 'securityGroup',
            direction: 'inbound',
            source: { kind: 'securityGroup', groupId: 'sg-lb' },
          },
          { type: 'securityGroup', direction: 'inbound', source: { kind: 'publicIpv4' } },
        ],
      },
    }
    const run = await runPlugin(control, fromLb, [listed])
    const on443 = {
      groupId: 'sg-listed',
      direction: 'inbound',
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
    }
    expect((run.output.failed as any[])[0]._qflow.matchedRules).toEqual([
      { ...on443, UserIdGroupPairs: [{ GroupId: 'sg-lb' }] },
      { ...on443, PrefixListIds: [{ PrefixListId: 'pl-1' }] },
    ])

    // Under a NOT, or when the control fails what does not match, the rules did not fail it.
    const passedOn = await runPlugin(control, { ...onPort(), onMatch: 'PASS' }, [db('closed', {})])
    expect((passedOn.output.failed as any[])[0]).toEqual(db('closed', {}))
    const negated = await runPlugin(control, onPort({ not: true }), [db('closed', {})])
    expect((negated.output.failed as any[])[0]._qflow.matchedRules).toBeUndefined()
  })

  it("reports the AWS account id when the resource node knew it, else qflow's account id", async () => {
    // As the AWS Resource node writes them: accountId is qflow's account, awsAccountId AWS's.
    const fromAccount = (meta: Record<string, unknown>) => ({
      ...openDb,
      _qflow: { ...openDb._qflow, ...meta },
    })
    const items = [
      fromAccount({ accountId: 'prod', awsAccountId: '123456789012' }),
      fromAccount({ accountId: 'snapshot-without-id', awsAccountId: undefined }),
      fromAccount({ accountId: undefined, awsAccountId: undefined }),
    ]
    const { output } = await runPlugin(control, SAMPLE_CONTROL_CONFIG, items)
    expect(results(output).map((r) => r.accountId)).toEqual(['123456789012', 'snapshot-without-id', null])
  })

  it('defaults the id to _qflow.resourceId and the display name to the id', async () => {
    const { output } = await runPlugin(control, { criteria: sampleCriteriaInput() }, [openDb])
    expect(results(output)[0]).toMatchObject({ resourceId: 'open', displayName: 'open' })
    expect(results(output)[0]!.evidence.keys).toEqual({ '_qflow.resourceId': 'open' })
  })

  it('falls back to the ARN, then the position, and says so', async () => {
    const noId = { PubliclyAccessible: true, _qflow: { arn: 'arn:aws:rds:x' } }
    const nothing = { PubliclyAccessible: true }
    const { output, logs } = await runPlugin(
      control,
      { ...SAMPLE_CONTROL_CONFIG, displayNameKey: 'Missing' },
      [noId, nothing]
    )
    expect(results(output).map((r) => [r.resourceId, r.displayName, r.accountId])).toEqual([
      ['arn:aws:rds:x', 'arn:aws:rds:x', null],
      ['#1', '#1', null],
    ])
    expect(logs.some((l) => l.level === 'warn' && /1 resource\(s\) have no value/.test(l.message))).toBe(true)
  })

  it('with onMatch PASS the criteria describe the compliant state', async () => {
    const criteria = {
      type: 'group',
      conditions: [{ type: 'param', key: 'StorageEncrypted', operator: 'equals', value: 'true' }],
    }
    const items = [db('enc', { StorageEncrypted: true }), db('plain', { StorageEncrypted: false })]
    const { output } = await runPlugin(control, { criteria, onMatch: 'PASS' }, items)
    expect(results(output).map((r) => r.result)).toEqual(['PASS', 'FAIL'])
    expect(output.passed).toEqual([items[0]])
  })

  it('gives ERROR, not a crash, for a resource that cannot be read', async () => {
    const hostile = { _qflow: meta('hostile') }
    Object.defineProperty(hostile, 'PubliclyAccessible', {
      enumerable: true,
      get() {
        throw new Error('boom')
      },
    })
    const { output } = await runPlugin(control, SAMPLE_CONTROL_CONFIG, [hostile, privateDb])
    expect(results(output).map((r) => [r.resourceId, r.result])).toEqual([
      ['hostile', 'ERROR'],
      ['private', 'PASS'],
    ])
    expect(results(output)[0]!.evidence.error).toBe('boom')
  })

  it('stops when the run is cancelled', async () => {
    const abort = new AbortController()
    abort.abort(new Error('cancelled by user'))
    await expect(
      runPlugin(control, SAMPLE_CONTROL_CONFIG, [privateDb], { signal: abort.signal })
    ).rejects.toThrow('cancelled by user')
  })

  it('judges dates against the run clock', async () => {
    const criteria = {
      type: 'group',
      conditions: [{ type: 'param', key: 'InstanceCreateTime', operator: 'olderThanDays', value: 30 }],
    }
    const item = db('old', { InstanceCreateTime: '2025-12-01T00:00:00Z' })
    const early = await runPlugin(control, { criteria }, [item], { now: new Date('2025-12-15T00:00:00Z') })
    const late = await runPlugin(control, { criteria }, [item], { now: new Date('2026-01-15T00:00:00Z') })
    expect(results(early.output)[0]!.result).toBe('PASS')
    expect(results(late.output)[0]!.result).toBe('FAIL')
  })
})

describe('totalcloud-control in a flow', () => {
  // A source node standing in for the AWS Resource node: it emits the run input's items.
  const source = defineNodeType({
    manifest: {
      type: 'test-source',
      version: 1,
      title: 'Source',
      description: 'emits run input items',
      category: 'general',
      icon: 'x',
      color: '#000',
      inputs: [{ name: 'in' }],
      outputs: [{ name: 'out' }],
    },
    config: z.object({}),
    async execute(ctx) {
      return { out: (ctx.runInput as { items: Record<string, unknown>[] }).items }
    },
  })
  const engine = createEngine({ registry: createRegistry([...builtinPlugins, source]) })
  const flowWith = (config: Record<string, unknown>) => ({
    ...flowSchema.parse({
      name: 'public rds',
      nodes: [
        { id: 't', type: 'trigger', typeVersion: 1 },
        { id: 'r', type: 'test-source', typeVersion: 1 },
        { id: 'c', type: 'totalcloud-control', typeVersion: 1, config },
      ],
      edges: [
        { id: 'e1', source: 't', target: 'r', sourcePort: 'out', targetPort: 'in' },
        { id: 'e2', source: 'r', target: 'c', sourcePort: 'out', targetPort: 'in' },
      ],
    }),
    id: 'f1',
  })

  it('runs behind a resource node and emits results', async () => {
    const run = await engine.run({
      runId: 'r1',
      flow: flowWith(SAMPLE_CONTROL_CONFIG),
      input: { items: [publicDb, privateDb] },
    })
    expect(run.status).toBe('succeeded')
    const step = run.steps.find((s) => s.nodeId === 'c')!
    expect((step.output.results as unknown as ControlResult[]).map((r) => r.result)).toEqual(['FAIL', 'PASS'])
  })

  it('fails the step with the field named when the criteria are invalid', async () => {
    const criteria = {
      type: 'group',
      conditions: [{ type: 'param', key: 'Name', operator: 'matches', value: '(?=x)' }],
    }
    const run = await engine.run({ runId: 'r2', flow: flowWith({ criteria }), input: { items: [] } })
    const step = run.steps.find((s) => s.nodeId === 'c')!
    expect(step.error).toMatchObject({ code: 'CONFIG_INVALID' })
    expect(step.error!.message).toContain('criteria.conditions.0.value')
    expect(step.error!.message).toContain('lookahead')
  })
})
