import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeTypeFor, scaffoldPlugin } from '../../server/plugins/scaffold.ts'
import { loadTestHost, pluginStep, repoRoot } from '../support/plugin-host.ts'

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
      const result = await loaded.run('tagger', { value: 'reviewed' }, [{ id: 'db-1' }])
      expect(pluginStep(result).output).toEqual({ out: [{ id: 'db-1', label: 'reviewed' }] })
    } finally {
      await loaded.host.close()
    }
  })

  it("gives a test that passes with the author's own runner once qflow is a dev dependency", async () => {
    // What `npm install --save-dev qflow` would leave: qflow in the package's node_modules.
    await mkdir(join(dir, 'node_modules'))
    await symlink(repoRoot, join(dir, 'node_modules', 'qflow'))
    const run = spawnSync(process.execPath, ['--test', 'test/'], { cwd: dir, encoding: 'utf8' })
    expect(run.stdout).toContain('# pass 2')
    expect(run.status).toBe(0)
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
