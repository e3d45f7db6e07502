import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { CliIo } from '../../server/cli/command.ts'
import { main } from '../../server/cli/main.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function cli(env: Record<string, string>) {
  const out: string[] = []
  const err: string[] = []
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), env, cwd: process.cwd() }
  return { run: (...argv: string[]) => main(argv, io), out, err }
}

describe('qflow keys and safe binding', () => {
  it('creates, lists and revokes keys from the command line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qflow-keys-'))
    dirs.push(dir)
    const { run, out, err } = cli({ QFLOW_DB_URL: `file:${join(dir, 'q.db')}`, QFLOW_LOG_LEVEL: 'silent' })
    // The first key must be an admin key: it ends single-user mode.
    expect(await run('keys', 'create', '--name', 'ci', '--role', 'runner', '--flow', 'f1')).toBe(2)
    expect(err.pop()).toMatch(
      /--role: the first key must be an admin key.*keys create --name admin --role admin/
    )
    expect(await run('keys', 'create', '--name', 'admin', '--role', 'admin')).toBe(0)
    expect(out.pop()).toMatch(/^qf_/)
    err.pop()
    expect(await run('keys', 'create', '--name', 'ci', '--role', 'runner', '--flow', 'f1')).toBe(0)
    const key = out.pop()!
    expect(key).toMatch(/^qf_/)
    expect(err.pop()).toMatch(/runner, flows f1.*not shown again/)
    expect(await run('keys', 'list')).toBe(0)
    const line = out.splice(0).find((l) => l.includes(' ci'))
    expect(line).toContain(key.slice(0, 9))
    expect(line).not.toContain(key)
    const id = line!.split(' ')[0]!
    expect(await run('keys', 'revoke', id)).toBe(0)
    expect(await run('keys', 'list')).toBe(0)
    expect(out[0]).toBe(`revoked ${id}`)
    expect(out.slice(1).every((l) => !l.includes(' ci'))).toBe(true)
    // The admin key is now the only key: revoking it would reopen keyless mode, unless forced.
    const adminId = out.find((l) => l.includes(' admin'))!.split(' ')[0]!
    expect(await run('keys', 'revoke', adminId)).toBe(2)
    expect(err.pop()).toMatch(/would leave no admin key.*QFLOW_ADMIN_TOKEN.*--force/)
    expect(await run('keys', 'revoke', adminId, '--force')).toBe(0)
    expect(await run('keys', 'create', '--name', 'x', '--role', 'owner')).toBe(2)
    expect(err.join('\n')).toMatch(/--role: one of viewer, runner, editor, admin/)
  })

  it('a first non-admin key is fine when an admin token is configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qflow-keys-'))
    dirs.push(dir)
    const { run } = cli({
      QFLOW_DB_URL: `file:${join(dir, 'q.db')}`,
      QFLOW_LOG_LEVEL: 'silent',
      QFLOW_ADMIN_TOKEN: 'an-admin-token-long-enough',
    })
    expect(await run('keys', 'create', '--name', 'ci', '--role', 'runner')).toBe(0)
  })

  it('serve refuses a non-loopback HOST while no key exists, saying what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qflow-keys-'))
    dirs.push(dir)
    const { run, err } = cli({
      QFLOW_DB_URL: `file:${join(dir, 'q.db')}`,
      HOST: '0.0.0.0',
      PORT: '0',
      QFLOW_LOG_LEVEL: 'silent',
    })
    expect(await run('serve')).toBe(2)
    expect(err.join('\n')).toMatch(/refusing to listen on 0\.0\.0\.0 without API keys.*QFLOW_ADMIN_TOKEN/s)
  })
})
