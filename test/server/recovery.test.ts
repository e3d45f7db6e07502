import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { sampleFlow, startTestServer } from '../support/server.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('boot after a crash', () => {
  it('marks runs a dead process left running or queued as failed, with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qflow-recovery-'))
    dirs.push(dir)
    const first = await startTestServer({ dir })
    await first.call(
      'POST',
      '/api/flows',
      sampleFlow({
        id: 'slow',
        nodes: [
          { id: 't', type: 'trigger', typeVersion: 1 },
          { id: 'w', type: 'test-wait', typeVersion: 1, config: { ms: 600_000 } },
        ],
        edges: [{ id: 'e', source: 't', target: 'w' }],
      })
    )
    const accepted = (await (await first.call('POST', '/api/flows/slow/runs', {})).json()) as any
    for (let i = 0; i < 200; i++) {
      const run = (await (await first.call('GET', `/api/runs/${accepted.id}`)).json()) as any
      if (run.steps.some((s: any) => s.nodeId === 'w' && s.status === 'running')) break
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    // The "crash": the database is closed under a running run, and nothing more gets written.
    first.ctx.database.close()

    const second = await startTestServer({ dir })
    try {
      const run = (await (await second.call('GET', `/api/runs/${accepted.id}`)).json()) as any
      expect(run.status).toBe('failed')
      expect(run.error).toMatchObject({ code: 'INTERRUPTED' })
      expect(run.finishedAt).not.toBeNull()
      expect(run.steps.map((s: any) => [s.nodeId, s.status])).toEqual([
        ['t', 'succeeded'],
        ['w', 'failed'],
      ])
    } finally {
      await second.close()
      // Let the first "process" go: its run is aborted; its writes fail on the closed database.
      await first.ctx.runService.stop(0)
    }
  })
})
