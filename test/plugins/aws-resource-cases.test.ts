import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { gatewayFor, oneNodeFlow, outputOf, runFlow } from '../support/aws.ts'

/** The shared recorded cases, read at run time from beside the repo (never copied into it). */
const CASES = resolve(import.meta.dirname, '../../../shared/aws-cases')
const cases = ['recorded', 'simulated'].flatMap((group) =>
  readdirSync(join(CASES, group)).map((name) => `${group}/${name}`)
)

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8'))
const filesOf = (folder: string, prefix: string) =>
  readdirSync(folder)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))

/** The recording's datetime envelope, as a run record stores a date: an ISO string. */
function asJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asJson)
  if (typeof value !== 'object' || value === null) return value
  const v = value as Record<string, number>
  if (v.__class__ === ('datetime' as unknown)) {
    return new Date(
      Date.UTC(
        v.year!,
        v.month! - 1,
        v.day,
        v.hour,
        v.minute,
        v.second,
        Math.floor((v.microsecond ?? 0) / 1000)
      )
    ).toISOString()
  }
  return Object.fromEntries(Object.entries(value).map(([k, e]) => [k, asJson(e)]))
}

describe('every shared AWS case loads as a snapshot account', () => {
  it('finds the cases', () => expect(cases.length).toBeGreaterThanOrEqual(10))

  for (const name of cases) {
    it(`${name}: returns exactly the recorded instances with their groups attached`, async () => {
      const folder = join(CASES, name)
      const instances = filesOf(folder, 'rds.DescribeDBInstances').flatMap(
        (f) => read(join(folder, f)).DBInstances
      )
      const groups = new Map<string, unknown>()
      for (const f of filesOf(folder, 'ec2.DescribeSecurityGroups'))
        for (const g of read(join(folder, f)).SecurityGroups)
          if (!groups.has(g.GroupId)) groups.set(g.GroupId, g)
      const expected = read(join(folder, 'expected.json'))

      const aws = gatewayFor([
        {
          id: 'case',
          kind: 'snapshot',
          awsAccountId: '123456789012',
          regions: ['us-east-1'],
          snapshot: { path: folder },
        },
      ])
      const result = await runFlow(
        aws,
        oneNodeFlow(
          'aws-resource',
          { service: 'rds', method: 'DBInstances', addons: ['SecurityGroups'] },
          ['case'],
          ['us-east-1']
        )
      )
      expect(result.steps.find((s) => s.nodeId === 'node')?.status).toBe('succeeded')
      const items = outputOf(result)
      expect(items.map((i) => i.DBInstanceIdentifier).sort()).toEqual(Object.keys(expected.instances).sort())

      for (const [index, item] of items.entries()) {
        const recorded = instances[index]
        const { SecurityGroups, _qflow, ...rest } = item as Record<string, any>
        expect(rest).toEqual(asJson(recorded))
        const ids: string[] = (recorded.VpcSecurityGroups ?? []).map((m: any) => m.VpcSecurityGroupId)
        expect(SecurityGroups).toEqual(ids.filter((id) => groups.has(id)).map((id) => groups.get(id)))
        const detail = expected.instances[recorded.DBInstanceIdentifier].detail
        expect(_qflow.unresolved?.SecurityGroups ?? []).toEqual(detail.unresolved_sgs ?? [])
        expect(_qflow).toMatchObject({
          accountId: 'case',
          region: 'us-east-1',
          service: 'rds',
          method: 'rds.DBInstances',
          resourceId: recorded.DBInstanceIdentifier,
        })
        expect(_qflow.arn).toBe(recorded.DBInstanceArn ?? '')
      }
      expect(existsSync(folder)).toBe(true)
    })
  }
})
