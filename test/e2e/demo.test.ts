/**
 * The demo a newcomer sees: the shipped sample QFlow on the demo account gives the verdicts the
 * table in examples/demo-estate/README.md promises (read from the README, so the two cannot
 * drift), over the REST API and through `qflow run`; and the remediation example records, per
 * failed instance, the exact call it would make, sending none.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../support/server.ts'

const ROOT = resolve(import.meta.dirname, '../..')
const readExample = (name: string) => JSON.parse(readFileSync(join(ROOT, 'examples', name), 'utf8'))
const CONTROL = 'public-rds-control'

type Verdict = 'FAIL' | 'PASS' | 'ERROR'
/** `region/instance -> verdict`, from the README's verdict table. */
function promisedVerdicts(): Map<string, Verdict> {
  const text = readFileSync(join(ROOT, 'examples/demo-estate/README.md'), 'utf8')
  const lines = text.split('\n').filter((line) => line.startsWith('|'))
  const header = lines[0]!.split('|').map((cell) => cell.trim())
  const verdicts = new Map<string, Verdict>()
  for (const line of lines.slice(2)) {
    const cells = line.split('|').map((cell) => cell.trim())
    const region = cells[header.indexOf('region')]!
    for (const verdict of ['FAIL', 'PASS', 'ERROR'] as const) {
      const names = cells[header.indexOf(verdict)]!.replace(/\([^)]*\)/g, '')
      for (const name of names.split(',').map((n) => n.trim()))
        if (name !== '') verdicts.set(`${region}/${name}`, verdict)
    }
  }
  return verdicts
}

const promised = promisedVerdicts()

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server?.close()
})

async function ok(response: Promise<Response>, status = 200): Promise<any> {
  const res = await response
  const body = await res.json()
  expect({ status: res.status, body }).toMatchObject({ status })
  return body
}

/** Import an example as is and run it with no overrides: it is bound to the demo account. */
async function importAndRun(name: string) {
  const imported = await ok(server.call('POST', '/api/flows/import?newId=true', readExample(name)), 201)
  expect(imported.problems).toEqual([])
  const started = await ok(server.call('POST', `/api/flows/${imported.flow.id}/runs`, {}), 202)
  const run = await server.waitForRun(started.id)
  expect({ status: run.status, error: run.error ?? null }).toEqual({ status: 'succeeded', error: null })
  return { flowId: imported.flow.id as string, run }
}

describe('the demo: the sample QFlow on the demo account', () => {
  it('the README promises all 16 instances of the estate', () => {
    expect(promised.size).toBe(16)
    expect(new Set(promised.values())).toEqual(new Set(['FAIL', 'PASS', 'ERROR']))
  })

  it('gives the README verdicts over the REST API, with evidence for each', async () => {
    const { flowId } = await importAndRun('public-rds.qflow.json')
    const stored = await ok(server.call('GET', `/api/flows/${flowId}/controls/${CONTROL}/results?limit=100`))
    const seen = new Map<string, string>(
      stored.items.map((r: any) => [`${r.region}/${r.resourceId}`, r.result])
    )
    expect(seen).toEqual(promised)
    for (const result of stored.items) {
      expect(result.accountId).toBe('111122223333')
      expect(result.evidence.keys.DBInstanceIdentifier).toBe(result.resourceId)
      expect('DBName' in result.evidence.keys).toBe(true)
    }
    const failed = await ok(
      server.call('GET', `/api/flows/${flowId}/controls/${CONTROL}/results?result=FAIL`)
    )
    expect(failed.total).toBe([...promised.values()].filter((v) => v === 'FAIL').length)
  })

  it('the remediation example records the exact ModifyDBInstance per failed instance, dry run', async () => {
    const document = readExample('public-rds-remediate.qflow.json')
    // It is the sample plus the action, not a fork of it.
    const sample = readExample('public-rds.qflow.json')
    expect(document.nodes.slice(0, sample.nodes.length)).toEqual(sample.nodes)
    expect(document.edges.slice(0, sample.edges.length)).toEqual(sample.edges)

    const { run } = await importAndRun('public-rds-remediate.qflow.json')
    const output = await ok(server.call('GET', `/api/runs/${run.id}/steps/make-private/output`))
    const failedIds = [...promised].filter(([, v]) => v === 'FAIL').map(([key]) => key)
    expect(output.out.map((o: any) => `${o.region}/${o.resourceId}`).sort()).toEqual(failedIds.sort())
    for (const change of output.out) {
      expect(change).toEqual({
        resourceId: change.resourceId,
        // The same account id the control results carry; qflow's own id under its own name.
        accountId: '111122223333',
        qflowAccountId: 'demo',
        region: change.region,
        action: 'rds.ModifyDBInstance',
        status: 'dry-run',
        calls: [
          {
            service: 'rds',
            operation: 'ModifyDBInstance',
            input: {
              DBInstanceIdentifier: change.resourceId,
              PubliclyAccessible: false,
              ApplyImmediately: true,
            },
          },
        ],
      })
    }
  })
})

describe('the demo through the CLI, as the README quick start says', { timeout: 120_000 }, () => {
  const exec = promisify(execFile)
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qflow-demo-cli-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('`qflow run examples/public-rds.qflow.json` prints the README verdicts, storing nothing', async () => {
    const database = join(dir, 'never-created.db')
    const { stdout } = await exec(
      process.execPath,
      ['bin/qflow.js', 'run', 'examples/public-rds.qflow.json'],
      { cwd: ROOT, env: { ...process.env, QFLOW_DB_URL: `file:${database}` } }
    )
    const lines = stdout.split('\n')
    // Per port: each resource is in failed or passed (ERROR in neither) and again in results.
    expect(lines.find((l) => l.startsWith(CONTROL))).toMatch(
      /totalcloud-control\s+succeeded\s+16\s+8 failed, 6 passed, 16 results\s/
    )
    expect(stdout).toContain(`${CONTROL}: 8 FAIL, 6 PASS, 2 ERROR`)
    const header = lines.findIndex((l) => /^RESULT\s+RESOURCE\s+NAME\s+ACCOUNT\s+REGION\s+WHY$/.test(l))
    expect(header).toBeGreaterThan(0)
    const rows = new Map<string, string>()
    for (const line of lines.slice(header + 2)) {
      const match = /^(FAIL|PASS|ERROR)\s+(\S+)\s+.*?(111122223333)\s+(\S+)/.exec(line)
      if (match) rows.set(`${match[4]}/${match[2]}`, match[1]!)
    }
    expect(rows).toEqual(promised)
    // The WHY column names what decided: the public flag, the world-open rule, the missing group.
    expect(lines.find((l) => /^FAIL\s+reporting-mysql\b/.test(l))).toContain(
      'PubliclyAccessible equals "true"'
    )
    expect(lines.find((l) => /^FAIL\s+legacy-mysql-56\b/.test(l))).toMatch(/tcp\/3306 from 0\.0\.0\.0\/0/)
    expect(lines.find((l) => /^ERROR\s+new-postgres-creating\b/.test(l))).toMatch(/sg-\w+ not described/)
    expect(stdout).toMatch(/run local-\d+ succeeded/)
    expect(existsSync(database)).toBe(false)
  })
})
