import { afterEach, describe, expect, it } from 'vitest'
import { createRegistry } from '../../core/plugin/registry.ts'
import { startLiveServer } from '../support/live-server.ts'
import { builtinAndTestPlugins } from '../support/plugins.ts'
import { chainFlow } from '../support/runtime-server.ts'
import { http } from '../support/serve-process.ts'
import { parseSse, readUntilClosed } from '../support/sse.ts'

type LiveServer = Awaited<ReturnType<typeof startLiveServer>>
const servers: LiveServer[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close().catch(() => {})
})

async function serverWithRun(waitMs: number) {
  const server = await startLiveServer({ registry: createRegistry(builtinAndTestPlugins) })
  servers.push(server)
  await http(server.url, 'POST', '/api/flows', { body: chainFlow('f1', {}, [['test-wait', { ms: waitMs }]]) })
  const { id } = (await http(server.url, 'POST', '/api/flows/f1/runs')).body
  return { server, id: id as string }
}

/**
 * Opens the run's event stream over HTTP and resolves `opened` once the snapshot is in, so the
 * caller stops the server while the stream is surely open; `text` is all it got until the close.
 */
function openStream(base: string, runId: string) {
  let onSnapshot!: () => void
  const opened = new Promise<void>((resolve) => {
    onSnapshot = resolve
  })
  const text = fetch(`${base}/api/runs/${runId}/events`).then((response) =>
    readUntilClosed(response, (sofar) => {
      if (sofar.includes('\n\n')) onSnapshot()
    })
  )
  return { opened, text }
}

describe('run event streams when the server stops', () => {
  it('ends a stream whose run is handed back with server-stopping and a retry hint', async () => {
    const { server, id } = await serverWithRun(60_000)
    const stream = openStream(server.url, id)
    await stream.opened
    await server.close(0)
    const text = await stream.text
    const events = parseSse(text)
    expect(events[0]!.event).toBe('snapshot')
    expect(events.some((e) => e.event === 'run.finished')).toBe(false)
    expect(events.at(-1)).toMatchObject({
      event: 'server-stopping',
      data: { type: 'server-stopping', runId: id, finished: false, status: 'queued', retryMs: 1000 },
    })
    expect(events.at(-1)!.data.message).toMatch(/not finished .*reconnect/)
    // The SSE field too, so a plain EventSource waits as long before it reconnects.
    expect(text).toMatch(/event: server-stopping\ndata: .*\nid: \d+\nretry: 1000\n\n$/)
  })

  it('ends with run.finished, not server-stopping, when the run finishes in the grace time', async () => {
    const { server, id } = await serverWithRun(500)
    const stream = openStream(server.url, id)
    await stream.opened
    await server.close(30_000)
    const events = parseSse(await stream.text)
    expect(events.at(-1)).toMatchObject({ event: 'run.finished', data: { runId: id, status: 'succeeded' } })
    expect(events.some((e) => e.event === 'server-stopping')).toBe(false)
  })
})
