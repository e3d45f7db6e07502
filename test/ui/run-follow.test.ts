import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ReactiveControllerHost } from 'lit'
import { afterEach, describe, expect, it } from 'vitest'
import { createRegistry } from '../../core/plugin/registry.ts'
import type { RunStatus } from '../../core/run/events.ts'
import { QflowClient } from '../../ui/src/api/client.ts'
import { RunController, retryDelay } from '../../ui/src/editor/run-controller.ts'
import { startLiveServer } from '../support/live-server.ts'
import { builtinAndTestPlugins } from '../support/plugins.ts'
import { chainFlow } from '../support/runtime-server.ts'
import { http } from '../support/serve-process.ts'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A real server on the given folder's database (and port, when restarting one). */
async function serve(dir: string, port = 0) {
  const server = await startLiveServer({
    dir,
    registry: createRegistry(builtinAndTestPlugins),
    env: { PORT: String(port) },
  })
  cleanups.push(() => server.close().catch(() => {}))
  return server
}

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'qflow-follow-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The controller as the editor drives it, with what it reports. */
function controllerFor(baseUrl: string) {
  const updates: (() => void)[] = []
  const host = {
    addController() {},
    removeController() {},
    requestUpdate: () => {
      for (const check of updates) check()
    },
    updateComplete: Promise.resolve(true),
  } as ReactiveControllerHost
  let onFinish!: (status: RunStatus) => void
  const finished = new Promise<RunStatus>((resolve) => {
    onFinish = resolve
  })
  const client = new QflowClient({ baseUrl })
  const controller = new RunController(host, () => client, {
    onStart() {},
    onFinish: (_runId, status) => onFinish(status),
  })
  cleanups.push(() => controller.hostDisconnected())
  /** Resolves once the canvas shows `nodeId` as `status`. */
  const shows = (nodeId: string, status: string) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (controller.statuses[nodeId]?.status === status) resolve()
      }
      updates.push(check)
      check()
    })
  return { controller, client, finished, shows }
}

describe('following a run while its server stops', () => {
  it('waits longer between tries while the server stays unreachable, up to 10 s', () => {
    expect([1, 2, 3, 4, 5, 9].map(retryDelay)).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000])
  })

  it('the client reports a stream ended by server-stopping as unfinished, with the retry hint', async () => {
    const server = await serve(tempDir())
    await http(server.url, 'POST', '/api/flows', {
      body: chainFlow('f1', {}, [['test-wait', { ms: 60_000 }]]),
    })
    const { id } = (await http(server.url, 'POST', '/api/flows/f1/runs')).body
    const client = new QflowClient({ baseUrl: server.url })
    let snapshot!: () => void
    const opened = new Promise<void>((resolve) => {
      snapshot = resolve
    })
    const types: string[] = []
    const followed = client.followRun(
      id,
      (event) => {
        types.push(event.type)
        snapshot()
      },
      new AbortController().signal
    )
    await opened
    await server.close(0)
    expect(await followed).toEqual({ finished: false, retryMs: 1000 })
    // The stopping notice is the client's to act on, not a run event for the canvas.
    expect(types).not.toContain('server-stopping')
  })

  it('the editor keeps the canvas updating when the server restarts and runs the handed-back run', async () => {
    const dir = tempDir()
    const first = await serve(dir)
    await http(first.url, 'POST', '/api/flows', { body: chainFlow('f1', {}, [['test-wait', { ms: 1500 }]]) })
    const { controller, finished, shows } = controllerFor(first.url)
    await controller.start('f1')
    await shows('n1', 'running')
    await first.close(0)
    // The same address again, as after a restart; the handed-back run starts over here.
    const port = new URL(first.url).port
    await serve(dir, Number(port))
    expect(await finished).toBe('succeeded')
    expect(controller.statuses.n1?.status).toBe('succeeded')
    expect(controller.run?.status).toBe('succeeded')
  })
})
