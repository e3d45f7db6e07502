import { fork } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sandboxFor } from '../../server/plugins/sandbox.ts'

/**
 * The floor under the import rules: even code that got hold of `fs` or `child_process` meets Node's
 * permission model. The probe runs with the workers' exact flags but without the module hooks.
 */
const probe = `
import { writeFileSync, readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
const attempt = (fn) => { try { fn(); return 'allowed' } catch (err) { return err.code ?? err.message } }
const here = new URL('.', import.meta.url).pathname
process.send({
  writeInOwnFolder: attempt(() => writeFileSync(here + 'x.txt', 'x')),
  writeTmp: attempt(() => writeFileSync('/tmp/qflow-probe.txt', 'x')),
  readPasswd: attempt(() => readFileSync('/etc/passwd')),
  readOwnFile: attempt(() => readFileSync(here + 'probe.mjs')),
  spawn: attempt(() => spawnSync('id')),
  env: Object.keys(process.env).length,
}, () => process.exit(0))
`

describe('the worker sandbox flags', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qflow-sandbox-'))
    await writeFile(join(dir, 'probe.mjs'), probe)
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('deny writes anywhere, reads outside the plugin folder, and child processes', async () => {
    const sandbox = sandboxFor(dir, { memoryMb: 64 })
    const child = fork(join(dir, 'probe.mjs'), [], { execArgv: sandbox.execArgv, env: {}, stdio: 'pipe' })
    const report = await new Promise((resolve, reject) => {
      child.once('message', resolve)
      child.once('exit', (code) => reject(new Error(`probe exited with ${code}`)))
    })
    expect(report).toEqual({
      writeInOwnFolder: 'ERR_ACCESS_DENIED',
      writeTmp: 'ERR_ACCESS_DENIED',
      readPasswd: 'ERR_ACCESS_DENIED',
      readOwnFile: 'allowed',
      spawn: 'ERR_ACCESS_DENIED',
      env: 0,
    })
  })

  it('give the worker a heap limit and no way to load native addons', () => {
    const { execArgv } = sandboxFor(dir, { memoryMb: 96 })
    expect(execArgv).toContain('--max-old-space-size=96')
    expect(execArgv).toContain('--no-addons')
    expect(execArgv).not.toContain('--allow-child-process')
    expect(execArgv.some((flag) => flag.startsWith('--allow-fs-write'))).toBe(false)
  })
})
