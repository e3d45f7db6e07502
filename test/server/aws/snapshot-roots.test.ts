import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  defaultSnapshotRoots,
  INSTALL_ROOT,
  loadRecording,
  SnapshotError,
} from '../../../server/aws/snapshot/load.ts'
import { loadConfig } from '../../../server/config.ts'
import { startTestServer, type TestServer } from '../../support/server.ts'

let root: string
let outside: string

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'qflow-snap-root-'))
  outside = mkdtempSync(join(tmpdir(), 'qflow-snap-outside-'))
  mkdirSync(join(root, 'good'))
  writeFileSync(join(root, 'good', 'rds.DescribeDBInstances.json'), '{"DBInstances":[]}')
  mkdirSync(join(root, 'broken'))
  writeFileSync(join(root, 'broken', 'rds.DescribeDBInstances.json'), 'root:x:0:0:SECRET-CONTENT')
  writeFileSync(
    join(outside, 'rds.DescribeDBInstances.json'),
    '{"DBInstances":[{"DBInstanceIdentifier":"x"}]}'
  )
  // A link inside the root to a folder outside it, and a link to one file outside it.
  symlinkSync(outside, join(root, 'escape'))
  mkdirSync(join(root, 'linked-file'))
  symlinkSync(
    join(outside, 'rds.DescribeDBInstances.json'),
    join(root, 'linked-file', 'rds.DescribeDBInstances.json')
  )
})
afterAll(() => {
  rmSync(root, { recursive: true, force: true })
  rmSync(outside, { recursive: true, force: true })
})

async function refusal(path: string, roots = [root]): Promise<SnapshotError> {
  const err = await loadRecording({ path }, [], roots).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(SnapshotError)
  return err as SnapshotError
}

describe('snapshot paths stay inside the allowed roots', () => {
  it('loads a folder inside a root, by absolute path', async () => {
    const recording = await loadRecording({ path: join(root, 'good') }, [], [root])
    expect(recording.responses.get('us-east-1')?.get('rds.DescribeDBInstances')).toEqual([
      { DBInstances: [] },
    ])
  })

  it('refuses /etc, ../ escapes, a symlink out and a missing folder with one answer that names path', async () => {
    const answers = [
      await refusal('/etc'),
      await refusal(join(root, '..')),
      await refusal(join(root, 'good', '..', '..', 'etc')),
      await refusal('../../../../etc'),
      await refusal(join(root, 'escape')),
      await refusal(join(root, 'no-such-folder')),
      await refusal(join(root, 'good', 'rds.DescribeDBInstances.json')),
      await refusal('/nowhere/at/all'),
    ]
    for (const err of answers) {
      expect(err.field).toBe('path')
      expect(err.message).toBe(answers[0]!.message)
      expect(err.message).not.toMatch(/exist|etc|nowhere/)
    }
  })

  it('reads no file that links out of the root', async () => {
    const recording = await loadRecording({ path: join(root, 'linked-file') }, [], [root])
    expect(recording.responses.get('us-east-1')?.has('rds.DescribeDBInstances')).toBe(false)
  })

  it('names a file that fails to parse, relative to its root, without echoing its content', async () => {
    const err = await refusal(join(root, 'broken'))
    expect(err.message).toBe(`${join('broken', 'rds.DescribeDBInstances.json')} is not valid JSON`)
    expect(err.message).not.toContain('root:x')
    expect(err.message).not.toContain(root)
  })

  it('defaults to examples/ and ../shared/aws-cases; QFLOW_SNAPSHOT_ROOTS replaces them', () => {
    expect(defaultSnapshotRoots()).toEqual([
      join(INSTALL_ROOT, 'examples'),
      join(INSTALL_ROOT, '../shared/aws-cases'),
    ])
    expect(loadConfig({}).snapshotRoots).toEqual(defaultSnapshotRoots())
    expect(loadConfig({ QFLOW_SNAPSHOT_ROOTS: ' /a, /b ,' }).snapshotRoots).toEqual(['/a', '/b'])
    expect(() => loadConfig({ QFLOW_SNAPSHOT_ROOTS: ' , ' })).toThrow(/QFLOW_SNAPSHOT_ROOTS/)
  })
})

describe('snapshot accounts over the API', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(() => server.close())

  it('answers 400 naming path for a folder outside the roots, the same whether it exists or not', async () => {
    const messages: string[] = []
    for (const path of ['/etc', '/etc/definitely-not-here', '../', 'examples/../../etc']) {
      const res = await server.call('POST', '/api/accounts', { name: 'snap', kind: 'snapshot', path })
      expect(res.status, path).toBe(400)
      const { error } = await res.json()
      expect(error.code).toBe('SNAPSHOT_INVALID')
      expect(error.message).toMatch(/^path: /)
      messages.push(error.message)
    }
    expect(new Set(messages).size).toBe(1)
  })

  it('still accepts the shipped demo estate by its relative path, and uploaded files', async () => {
    const demo = await server.call('POST', '/api/accounts', {
      name: 'demo copy',
      kind: 'snapshot',
      path: 'examples/demo-estate',
    })
    expect(demo.status).toBe(201)
    const upload = await server.call('POST', '/api/accounts', {
      name: 'upload',
      kind: 'snapshot',
      files: { 'rds.DescribeDBInstances.json': { DBInstances: [] } },
    })
    expect(upload.status).toBe(201)
  })
})
