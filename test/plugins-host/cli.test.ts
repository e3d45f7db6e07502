import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../server/cli/main.ts'
import { repoRoot } from '../support/plugin-host.ts'

function collector(env: Record<string, string>, cwd: string) {
  const io = { out: '', err: '', env, cwd }
  return {
    io,
    cli: {
      out(text: string) {
        io.out += `${text}\n`
      },
      err(text: string) {
        io.err += `${text}\n`
      },
      env,
      cwd,
    },
  }
}

describe('qflow plugin (through the CLI entry point)', () => {
  let dir: string
  let env: Record<string, string>
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qflow-cli-'))
    env = { QFLOW_PLUGINS_FILE: join(dir, 'plugins.json') }
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('new creates the package in a folder named after it', async () => {
    const { io, cli } = collector(env, dir)
    expect(await main(['plugin', 'new', 'qflow-plugin-stamp'], cli)).toBe(0)
    expect(existsSync(join(dir, 'qflow-plugin-stamp', 'stamp.js'))).toBe(true)
    expect(io.out).toContain('test/stamp.test.js')
  })

  it('install checks and records a plugin, with extra hosts; list and remove follow', async () => {
    const { io, cli } = collector(env, repoRoot)
    const code = await main(
      ['plugin', 'install', './examples/plugin-notify', '--allow-host', 'chat.example.org'],
      cli
    )
    expect(io.err).toBe('')
    expect(code).toBe(0)
    expect(io.out).toContain('installed qflow-plugin-notify@1.0.0 (node types: notify)')
    expect(io.out).toContain('network: hooks.slack.com (its manifest)')
    expect(io.out).toContain('granted: chat.example.org (--allow-host)')
    expect(JSON.parse(await readFile(env.QFLOW_PLUGINS_FILE!, 'utf8')).plugins).toHaveLength(1)

    const listed = collector(env, repoRoot)
    expect(await main(['plugin', 'list', '--json'], listed.cli)).toBe(0)
    expect(JSON.parse(listed.io.out).items).toEqual([
      expect.objectContaining({
        name: 'qflow-plugin-notify',
        status: 'loaded',
        network: ['hooks.slack.com', 'chat.example.org'],
      }),
    ])

    const removed = collector(env, repoRoot)
    expect(await main(['plugin', 'remove', 'qflow-plugin-notify'], removed.cli)).toBe(0)
    expect(JSON.parse(await readFile(env.QFLOW_PLUGINS_FILE!, 'utf8')).plugins).toEqual([])
  })

  it('install refuses a malformed --allow-host before writing anything, exit 2', async () => {
    const before = existsSync(env.QFLOW_PLUGINS_FILE!)
      ? await readFile(env.QFLOW_PLUGINS_FILE!, 'utf8')
      : null
    const { io, cli } = collector(env, repoRoot)
    const code = await main(
      ['plugin', 'install', './examples/plugin-notify', '--allow-host', 'evil..com'],
      cli
    )
    expect(code).toBe(2)
    expect(io.err).toContain('--allow-host "evil..com": a host is a name like')
    const after = existsSync(env.QFLOW_PLUGINS_FILE!) ? await readFile(env.QFLOW_PLUGINS_FILE!, 'utf8') : null
    expect(after).toBe(before)

    const missing = collector(env, repoRoot)
    expect(await main(['plugin', 'install', './examples/plugin-notify', '--allow-host'], missing.cli)).toBe(2)
    expect(missing.io.err).toContain('--allow-host needs a host')
  })

  it('install of a folder whose package.json cannot be read is exit 2, naming the file', async () => {
    const bad = join(dir, 'broken-plugin')
    await mkdir(bad, { recursive: true })
    await writeFile(join(bad, 'package.json'), '{')
    const { io, cli } = collector(env, repoRoot)
    expect(await main(['plugin', 'install', bad], cli)).toBe(2)
    expect(io.err).toContain(join(bad, 'package.json'))
  })

  it('list loads each configured plugin as the server would and shows a table of how it fared', async () => {
    const listEnv = {
      ...env,
      QFLOW_PLUGINS: './examples/plugin-notify,qflow-plugin-nowhere,./test/fixtures/hostile-plugins/crash',
      QFLOW_PLUGINS_DENY: 'hostile-*',
    }
    const { io, cli } = collector(listEnv, repoRoot)
    // One plugin that cannot load makes the exit code 1, so a deploy script can stop on it.
    expect(await main(['plugin', 'list'], cli)).toBe(1)
    expect(io.err).toBe('')
    const lines = io.out.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^NAME +VERSION +API +NODE TYPES +SOURCE +STATUS$/)
    expect(lines[1]).toMatch(/^-+( +-+){5}$/)
    expect(lines.slice(2).map((line) => line.split(/ {2,}/))).toEqual([
      ['qflow-plugin-notify', '1.0.0', '1', 'notify', './examples/plugin-notify', 'loaded'],
      [
        '-',
        '-',
        '-',
        '-',
        'qflow-plugin-nowhere',
        'failed: PLUGIN_NOT_FOUND: package "qflow-plugin-nowhere" is not installed (npm install it first)',
      ],
      [
        'hostile-crash',
        '0.0.1',
        '1',
        '-',
        './test/fixtures/hostile-plugins/crash',
        'failed: PLUGIN_DENIED: plugin "hostile-crash" is on the deny list (hostile-*)',
      ],
    ])

    const json = collector(listEnv, repoRoot)
    expect(await main(['plugin', 'list', '--json'], json.cli)).toBe(1)
    const { items } = JSON.parse(json.io.out)
    expect(items.map((item: { source: string; status: string }) => [item.source, item.status])).toEqual([
      ['./examples/plugin-notify', 'loaded'],
      ['qflow-plugin-nowhere', 'failed'],
      ['./test/fixtures/hostile-plugins/crash', 'failed'],
    ])
    expect(items[0]).toMatchObject({
      name: 'qflow-plugin-notify',
      version: '1.0.0',
      apiVersion: 1,
      nodeTypes: [{ type: 'notify', version: 1, title: 'Notify' }],
      network: ['hooks.slack.com'],
    })
    expect(items[1].error).toEqual({
      code: 'PLUGIN_NOT_FOUND',
      message: 'package "qflow-plugin-nowhere" is not installed (npm install it first)',
    })

    const none = collector({ QFLOW_PLUGINS_FILE: join(dir, 'none.json') }, repoRoot)
    expect(await main(['plugin', 'list'], none.cli)).toBe(0)
    expect(none.io.out).toBe(
      `no plugins configured (QFLOW_PLUGINS is empty and ${join(dir, 'none.json')} lists none)\n`
    )
    const bad = collector(env, repoRoot)
    expect(await main(['plugin', 'list', '--yaml'], bad.cli)).toBe(2)
    expect(bad.io.err).toContain('plugin list: unexpected "--yaml"')
  })

  it('install applies the deny list, and bad calls exit 2 with the usage', async () => {
    const denied = collector({ ...env, QFLOW_PLUGINS_DENY: 'qflow-plugin-*' }, repoRoot)
    expect(await main(['plugin', 'install', './examples/plugin-notify'], denied.cli)).toBe(1)
    expect(denied.io.err).toBe(
      'qflow plugin install: plugin "qflow-plugin-notify" is on the deny list (qflow-plugin-*)\n'
    )

    const bad = collector(env, repoRoot)
    expect(await main(['plugin', 'frobnicate'], bad.cli)).toBe(2)
    expect(bad.io.err).toContain('plugin: unknown action "frobnicate"')
    expect(bad.io.err).toContain('plugin new <package-name> [folder]')
  })
})

describe('qflow itself', () => {
  it('prints its version with --version, and usage with exit 2 when no command is given', async () => {
    const { version } = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8'))
    const versioned = collector({}, repoRoot)
    expect(await main(['--version'], versioned.cli)).toBe(0)
    expect(versioned.io.out).toBe(`qflow ${version}\n`)
    const bare = collector({}, repoRoot)
    expect(await main([], bare.cli)).toBe(2)
    expect(bare.io.out).toContain('usage: qflow <command>')
  })
})
