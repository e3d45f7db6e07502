import { spawnSync } from 'node:child_process'
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../server/cli/main.ts'
import { nodeTypeFor, QFLOW_ROOT, qflowDependency, scaffoldPlugin } from '../../server/plugins/scaffold.ts'
import { ICON_NAMES } from '../../ui/src/nodes/icons.ts'
import { loadTestHost, pluginStep, repoRoot } from '../support/plugin-host.ts'

/**
 * A plain shell's environment for the nested npm: not this suite's, whose npm_* variables point npm
 * at qflow's own package and whose NODE_ENV=production would skip dev dependencies.
 */
function authorEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME }
}

describe('qflow plugin new', () => {
  let root: string
  let dir: string
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'qflow-scaffold-'))
    dir = join(root, 'qflow-plugin-tagger')
  })
  afterAll(() => rm(root, { recursive: true, force: true }))

  it('writes a package with one node type, a test and the qflow fields', async () => {
    const files = await scaffoldPlugin('qflow-plugin-tagger', dir)
    expect(files).toEqual(['package.json', 'tagger.js', 'test/tagger.test.js', 'README.md'])
    expect(nodeTypeFor('@acme/qflow-plugin-jira')).toBe('jira')
  })

  it('gives a package that loads in the sandbox and runs in a flow', async () => {
    const loaded = await loadTestHost([{ source: dir, hosts: [] }])
    try {
      expect(loaded.host.list()[0]).toMatchObject({ status: 'loaded', nodeTypes: [{ type: 'tagger' }] })
      // An icon the editor draws, not a letter standing in for an unknown name.
      expect(ICON_NAMES).toContain(loaded.registry.get('tagger')?.manifest.icon)
      const result = await loaded.run('tagger', { value: 'reviewed' }, [{ id: 'db-1' }])
      expect(pluginStep(result).output).toEqual({ out: [{ id: 'db-1', label: 'reviewed' }] })
    } finally {
      await loaded.host.close()
    }
  })

  it('links qflow from this checkout as a dev dependency, never from the registry', async () => {
    expect(QFLOW_ROOT).toBe(repoRoot)
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'))
    expect(pkg.devDependencies).toEqual({ qflow: `file:${repoRoot}` })
    expect(pkg.peerDependencies).toBeUndefined()
    // Inside the qflow tree the link is relative, so the checkout and the plugin can move together.
    expect(qflowDependency('/src/qflow/examples/plugin-x', '/src/qflow')).toBe('file:../..')
    expect(qflowDependency('/src/qflow-plugin-x', '/src/qflow')).toBe('file:/src/qflow')
    expect(qflowDependency('/elsewhere/x', '/src/qflow')).toBe('file:/src/qflow')
    const readme = await readFile(join(dir, 'README.md'), 'utf8')
    expect(readme).toContain(`\`${repoRoot}\``)
    expect(readme).toContain('npm install --save-dev <path to your qflow checkout>')
  })

  it('installs offline with npm and passes its own npm test', { timeout: 120_000 }, async () => {
    // --offline: the scaffold must need nothing from the registry (qflow comes from this checkout).
    const install = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund'], {
      cwd: dir,
      encoding: 'utf8',
      env: authorEnv(),
    })
    expect(install.stderr).not.toMatch(/ERR!/)
    expect(install.status, install.stdout + install.stderr).toBe(0)
    expect((await lstat(join(dir, 'node_modules', 'qflow'))).isSymbolicLink()).toBe(true)
    expect(resolve(dir, 'node_modules', await readlink(join(dir, 'node_modules', 'qflow')))).toBe(repoRoot)
    const test = spawnSync('npm', ['test'], { cwd: dir, encoding: 'utf8', env: authorEnv() })
    expect(test.stdout).toContain('# pass 2')
    expect(test.stdout).toContain('# fail 0')
    expect(test.status).toBe(0)
  })

  it('nothing we write or print tells anyone to install qflow from the registry', async () => {
    const fromRegistry = /npm (install|i|add)( +-[-\w=]+)* +qflow(@|\s|$)|"qflow": *"[~^>=<\d*]/m
    const cwd = await mkdtemp(join(tmpdir(), 'qflow-scaffold-cli-'))
    try {
      let printed = ''
      const io = {
        out: (text: string) => (printed += `${text}\n`),
        err: (text: string) => (printed += text),
        env: {},
        cwd,
      }
      expect(await main(['plugin', 'new', 'qflow-plugin-hint'], io)).toBe(0)
      expect(printed).toContain(`devDependencies.qflow = "file:${repoRoot}"`)
      expect(printed).toContain('next: cd qflow-plugin-hint && npm install && npm test')
      const texts = [
        printed,
        await readFile(join(cwd, 'qflow-plugin-hint', 'README.md'), 'utf8'),
        await readFile(join(cwd, 'qflow-plugin-hint', 'package.json'), 'utf8'),
        await readFile(join(repoRoot, 'docs/plugins.md'), 'utf8'),
        await readFile(join(repoRoot, 'examples/plugin-notify/package.json'), 'utf8'),
      ]
      for (const text of texts) expect(text).not.toMatch(fromRegistry)
      // The pattern does catch what the docs used to say.
      expect('npm install --save-dev qflow    # gives').toMatch(fromRegistry)
      expect('"peerDependencies": { "qflow": ">=0.1.0" }').toMatch(fromRegistry)
    } finally {
      await rm(cwd, { recursive: true, force: true })
    }
  })

  it('refuses bad names and folders that already have files', async () => {
    await expect(scaffoldPlugin('Bad Name', join(root, 'x'))).rejects.toThrow(
      '"Bad Name" is not a valid npm package name'
    )
    await expect(scaffoldPlugin('qflow-plugin-9lives', join(root, 'y'))).rejects.toThrow(
      'must start with a letter'
    )
    await mkdir(join(root, 'taken'))
    await writeFile(join(root, 'taken', 'keep.txt'), 'mine')
    await expect(scaffoldPlugin('qflow-plugin-ok', join(root, 'taken'))).rejects.toThrow(
      'already has files in it'
    )
  })
})
