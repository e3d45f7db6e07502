import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sampleFlow, startTestServer } from '../support/server.ts'

const exec = promisify(execFile)
const ROOT = join(import.meta.dirname, '../..')
const PLUGINS = join(ROOT, 'test/support/plugins.ts')

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qflow-cli-'))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** Run the real CLI in a child process; resolve with its exit code and output either way. */
async function qflow(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [join(ROOT, 'bin/qflow.js'), ...args], {
      cwd: dir,
      env: { ...process.env, QFLOW_DB_URL: `file:${join(dir, 'cli.db')}`, ...env },
    })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

function writeFlow(name: string, flow: unknown) {
  const path = join(dir, name)
  writeFileSync(path, JSON.stringify(flow))
  return path
}

// Each case starts Node processes with tsx; on a loaded 2-core machine that takes seconds.
describe('qflow CLI', { timeout: 120_000 }, () => {
  it('runs a flow file end to end and prints a table of node results', async () => {
    const file = writeFlow('sample.json', sampleFlow())
    const result = await qflow([
      'run',
      file,
      '--plugin',
      PLUGINS,
      '--var',
      'label=from-cli',
      '--input',
      '{"who":"cli"}',
    ])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines[0]).toMatch(/^NODE\s+TYPE\s+STATUS\s+IN\s+OUT\s+MS\s+NOTE$/)
    expect(lines.find((line) => line.startsWith('emit'))).toMatch(
      /^emit\s+test-emit\s+succeeded\s+1\s+3\s+\d+/
    )
    // A control puts each resource in failed or passed and again in results: counted per port, not 6.
    expect(lines.find((line) => line.startsWith('control'))).toMatch(
      /totalcloud-control\s+succeeded\s+3\s+\d failed, \d passed, 3 results\s/
    )
    expect(result.stdout).toMatch(/run local-\d+ succeeded/)

    const json = await qflow([
      'run',
      file,
      '--plugin',
      PLUGINS,
      '--var',
      'label=from-cli',
      '--until',
      'emit',
      '--json',
    ])
    const outcome = JSON.parse(json.stdout)
    expect(outcome.steps.map((step: any) => step.nodeId)).toEqual(['trigger', 'emit'])
    // --var reached the run: the emit node's tag is $wf.variables.label ('hello' in the file).
    const emitted = outcome.steps.find((step: any) => step.nodeId === 'emit').output
    expect(JSON.stringify(emitted)).toContain('"tag":"from-cli"')
    expect(JSON.stringify(emitted)).not.toContain('hello')
  })

  it('prints what an action did or would do, per resource, for a file run and a stored run', async () => {
    const example = join(ROOT, 'examples/public-rds-remediate.qflow.json')
    const expectActions = (stdout: string) => {
      expect(stdout).toMatch(/^make-private: 8 dry-run$/m)
      const rows = stdout.split('\n').filter((line) => line.startsWith('DRY-RUN'))
      expect(rows).toHaveLength(8)
      expect(rows).toContainEqual(
        expect.stringMatching(
          /^DRY-RUN\s+crm-oracle\s+111122223333\s+us-east-1\s+ModifyDBInstance DBInstanceIdentifier=crm-oracle PubliclyAccessible=false ApplyImmediately=true$/
        )
      )
    }
    const fromFile = await qflow(['run', example])
    expect(fromFile.code).toBe(0)
    expectActions(fromFile.stdout)

    const server = await startTestServer({ dir })
    await server.call('POST', '/api/flows', JSON.parse(readFileSync(example, 'utf8')))
    await server.close()
    const stored = await qflow(['run', 'public-rds-remediate'], {
      QFLOW_DB_URL: `file:${join(dir, 'qflow.db')}`,
    })
    expect(stored.code).toBe(0)
    expectActions(stored.stdout)
  })

  it('exits non-zero when the run fails, naming the failing node', async () => {
    const file = writeFlow('failing.json', {
      name: 'failing',
      nodes: [
        { id: 't', type: 'trigger', typeVersion: 1 },
        { id: 'boom', type: 'test-fail', typeVersion: 1, config: { message: 'access denied' } },
      ],
      edges: [{ id: 'e', source: 't', target: 'boom' }],
    })
    const result = await qflow(['run', file, '--plugin', PLUGINS])
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/boom\s+test-fail\s+failed.*access denied/)
    expect(result.stdout).toMatch(/failed: node "boom": access denied/)
  })

  it('validate lists every problem and exits 1; a valid file exits 0', async () => {
    const bad = writeFlow('bad.json', {
      name: 'bad',
      nodes: [
        { id: 'a', type: 'test-emit', typeVersion: 1, config: { count: -1 } },
        { id: 'b', type: 'nope', typeVersion: 1 },
      ],
      edges: [{ id: 'e', source: 'a', target: 'ghost' }],
    })
    const result = await qflow(['validate', bad, '--plugin', PLUGINS])
    expect(result.code).toBe(1)
    for (const code of ['CONFIG_INVALID', 'NODE_TYPE_UNKNOWN', 'EDGE_TARGET_MISSING', 'TRIGGER_MISSING']) {
      expect(result.stdout).toContain(`[${code}]`)
    }
    const good = await qflow(['validate', writeFlow('good.json', sampleFlow()), '--plugin', PLUGINS])
    expect(good).toMatchObject({ code: 0 })
    expect(good.stdout).toMatch(/valid \(4 nodes, 3 edges\)/)
    const small = sampleFlow({
      nodes: [
        { id: 'trigger', type: 'trigger', typeVersion: 1 },
        { id: 'emit', type: 'test-emit', typeVersion: 1, config: { count: 1 } },
      ],
      edges: [{ id: 'e1', source: 'trigger', target: 'emit' }],
    })
    const one = await qflow(['validate', writeFlow('one.json', small), '--plugin', PLUGINS])
    expect(one.stdout).toMatch(/valid \(2 nodes, 1 edge\)/)
    const lonely = writeFlow('lonely.json', { ...small, edges: [] })
    expect((await qflow(['validate', lonely, '--plugin', PLUGINS])).stdout).toMatch(/: 1 problem\n/)
  })

  it('reports unreadable files and bad arguments with exit 2', async () => {
    const notJson = join(dir, 'broken.json')
    writeFileSync(notJson, '{')
    const shapeFile = writeFlow('shape.json', { nodes: 3 })
    const [broken, shape, missing, none, unknown, badVar, protoVar, twiceVar] = await Promise.all([
      qflow(['run', notJson]),
      qflow(['validate', shapeFile]),
      qflow(['run', join(dir, 'missing.json')]),
      qflow(['run']),
      qflow(['frobnicate']),
      qflow(['run', 'x.json', '--var', 'novalue']),
      qflow(['run', 'x.json', '--var', '__proto__=1']),
      qflow(['run', 'x.json', '--var', 'n=5', '--var', 'n=6']),
    ])
    expect(broken).toMatchObject({ code: 2 })
    expect(broken.stderr).toMatch(/not valid JSON/)
    expect(shape.code).toBe(2)
    expect(shape.stderr).toMatch(/name: /)
    expect(shape.stderr).toMatch(/nodes: /)
    const typo = await qflow(['validate', writeFlow('typo.json', { name: 'x', nodez: [] })])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toMatch(/- nodez: unknown field; did you mean `nodes`\?/)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/cannot read/)
    expect(none.code).toBe(2)
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/)
    expect(badVar.code).toBe(2)
    expect(badVar.stderr).toMatch(/name=value/)
    expect(protoVar.code).toBe(2)
    expect(protoVar.stderr).toMatch(/--var __proto__: not an allowed variable name/)
    expect(twiceVar.code).toBe(2)
    expect(twiceVar.stderr).toMatch(/--var n given twice/)
  })

  it('runs a stored flow by id, recording the run in the database, and migrates', async () => {
    const fresh = { QFLOW_DB_URL: `file:${join(dir, 'migrate.db')}` }
    const migrations = readdirSync(new URL('../../server/db/migrations', import.meta.url)).filter((name) =>
      name.endsWith('.sql')
    )
    expect((await qflow(['migrate'], fresh)).stdout).toMatch(
      new RegExp(`applied ${migrations.length} migration\\(s\\); it is up to date`)
    )
    expect((await qflow(['migrate'], fresh)).stdout).toMatch(/was already up to date/)
    const server = await startTestServer({ dir })
    // The test server and the CLI share one database file: cli.db is the CLI's, qflow.db the server's.
    await server.call('POST', '/api/flows', sampleFlow({ id: 'stored' }))
    await server.close()
    const result = await qflow(['run', 'stored', '--plugin', PLUGINS], {
      QFLOW_DB_URL: `file:${join(dir, 'qflow.db')}`,
    })
    expect(result.code).toBe(0)
    const runId = /run (\S+) succeeded/.exec(result.stdout)?.[1]
    expect(runId).toBeDefined()
    const again = await startTestServer({ dir })
    try {
      const run = (await (await again.call('GET', `/api/runs/${runId}`)).json()) as any
      expect(run).toMatchObject({ status: 'succeeded', triggeredBy: 'cli' })
      expect(run.steps).toHaveLength(4)
    } finally {
      await again.close()
    }
    const missing = await qflow(['run', 'no-such-flow'], { QFLOW_DB_URL: `file:${join(dir, 'qflow.db')}` })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/no flow with id "no-such-flow"/)
  })

  it('serve boots on the environment, answers, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/qflow.js'), 'serve'], {
      cwd: dir,
      env: {
        ...process.env,
        PORT: '0',
        QFLOW_DB_URL: `file:${join(dir, 'serve', 'q.db')}`,
        QFLOW_LOG_LEVEL: 'warn',
      },
    })
    let stdout = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    try {
      for (let i = 0; i < 300 && !/listening on (http:\/\/\S+)/.test(stdout); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1]
      expect(url, stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const health = await fetch(`${url}/healthz`)
      expect(await health.json()).toEqual({ status: 'ok', database: 'ok', keyRequired: false })
      const created = await fetch(`${url}/api/flows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'served', nodes: [{ id: 't', type: 'trigger', typeVersion: 1 }] }),
      })
      expect(created.status).toBe(201)
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
    expect(stdout).toMatch(/SIGTERM, stopping/)
  })

  it('serve refuses a bad environment, naming the variable', async () => {
    const result = await qflow(['serve'], { PORT: 'eighty', QFLOW_LOG_LEVEL: 'loud' })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/PORT: a port number \(0 = any free port\), got "eighty"/)
    expect(result.stderr).toMatch(/QFLOW_LOG_LEVEL: expected one of "debug", .*, got "loud"/)
  })
})
