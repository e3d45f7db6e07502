import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { http, type ServeProcess, spawnServe } from '../support/serve-process.ts'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function serveWithPluginsFile(content: string): Promise<{ proc: ServeProcess; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'qflow-plugins-file-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'plugins.json')
  writeFileSync(file, content)
  const proc = await spawnServe({ QFLOW_DB_URL: `file:${join(dir, 'qflow.db')}`, QFLOW_PLUGINS_FILE: file })
  cleanups.push(() => proc.stop())
  return { proc, file }
}

/** stderr once it holds `text`: it is written before the listening line, but on another pipe. */
async function stderrWith(proc: ServeProcess, text: string): Promise<string> {
  while (!proc.logs().includes(text)) await new Promise((resolve) => setTimeout(resolve, 20))
  return proc.logs()
}

describe('a malformed plugins file', () => {
  it('does not stop the server: the problem is printed at start and listed by GET /api/plugins', async () => {
    const { proc, file } = await serveWithPluginsFile(
      JSON.stringify({ plugins: [{ source: '' }, { source: './examples/plugin-notify' }] })
    )
    const problem = `${file}: plugins.0.source: must not be empty`
    expect(await stderrWith(proc, 'qflow: not loaded')).toContain(
      `qflow: not loaded from the plugins file: ${problem}`
    )
    const { items } = (await http(proc.url, 'GET', '/api/plugins')).body
    expect(items.map((item: { source: string; status: string }) => [item.source, item.status])).toEqual([
      ['./examples/plugin-notify', 'loaded'],
      [file, 'failed'],
    ])
    expect(items[1].error).toEqual({ code: 'PLUGINS_FILE_INVALID', message: problem })
  })

  it('one that is not JSON at all is reported the same way', async () => {
    const { proc, file } = await serveWithPluginsFile('{"plugins": [')
    expect(await stderrWith(proc, 'qflow: not loaded')).toContain(
      `qflow: not loaded from the plugins file: ${file}: not valid JSON (`
    )
    const { items } = (await http(proc.url, 'GET', '/api/plugins')).body
    expect(items).toMatchObject([{ source: file, status: 'failed', error: { code: 'PLUGINS_FILE_INVALID' } }])
  })
})
