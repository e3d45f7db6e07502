import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fileRunAws } from '../../server/cli/file-run-aws.ts'
import { createServerContext } from '../../server/context.ts'
import { AWS_CASES_DIR } from '../support/aws-cases.ts'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qflow-file-run-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('AWS accounts for `qflow run <file>`', () => {
  it('with no database: the demo account only, and the database file is not created', async () => {
    const url = `file:${join(dir, 'absent.db')}`
    const aws = await fileRunAws({ db: { url } }, {}, dir)
    try {
      expect(await aws.gateway.account('demo')).toMatchObject({
        kind: 'snapshot',
        awsAccountId: '111122223333',
      })
      await expect(aws.gateway.account('prod')).rejects.toThrow(/there is no account "prod"/)
    } finally {
      aws.close()
    }
    expect(existsSync(join(dir, 'absent.db'))).toBe(false)
  })

  it("with the server's database: its accounts, as the server would reach them", async () => {
    const url = `file:${join(dir, 'qflow.db')}`
    const ctx = await createServerContext({ config: { db: { url }, bodyLimit: 1024, logLevel: 'silent' } })
    await ctx.accountService.create({
      id: 'cases',
      name: 'one recorded case',
      kind: 'snapshot',
      path: join(AWS_CASES_DIR, 'simulated/sim-moto-open-rule-variants'),
    })
    await ctx.close(0)
    const aws = await fileRunAws({ db: { url } }, {}, dir)
    try {
      expect(await aws.gateway.account('cases')).toMatchObject({ id: 'cases', kind: 'snapshot' })
      expect(await aws.gateway.account('demo')).toMatchObject({ id: 'demo' })
      const client = await aws.gateway.client('cases', 'us-east-1', 'rds')
      const { DescribeDBInstancesCommand } = await import('@aws-sdk/client-rds')
      const listed = await client.send(new DescribeDBInstancesCommand({}))
      expect(listed.DBInstances?.length).toBe(7)
    } finally {
      aws.close()
    }
  })
})
