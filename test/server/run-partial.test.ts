import { afterEach, describe, expect, it } from 'vitest'
import { chainFlow, startTestServer, type TestServer } from '../support/runtime-server.ts'

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

describe('a run where a node ended partial', () => {
  it('succeeds, says partial: true everywhere it is shown, and can be listed apart', async () => {
    server = await startTestServer()
    const flow = chainFlow('f1', {}, [['test-partial', {}]])
    expect((await server.call('POST', '/api/flows', { body: flow })).status).toBe(201)
    const partial = await server.call('POST', '/api/flows/f1/runs?wait=10')
    expect(partial.status).toBe(200)
    expect(partial.body).toMatchObject({ status: 'succeeded', partial: true })

    // The same flow made whole again: a plain success.
    const whole = chainFlow('f1', {}, [['test-add', { step: 1 }]])
    expect(
      (await server.call('PUT', '/api/flows/f1', { body: whole, headers: { 'if-match': '1' } })).status
    ).toBe(200)
    const plain = await server.call('POST', '/api/flows/f1/runs?wait=10')
    expect(plain.body).toMatchObject({ status: 'succeeded', partial: false })

    expect((await server.call('GET', `/api/runs/${partial.body.id}`)).body.partial).toBe(true)
    const list = async (query: string) =>
      (await server!.call('GET', `/api/flows/f1/runs${query}`)).body.items.map(
        (run: { id: string; partial: boolean }) => [run.id, run.partial]
      )
    expect(await list('')).toEqual([
      [plain.body.id, false],
      [partial.body.id, true],
    ])
    expect(await list('?partial=true')).toEqual([[partial.body.id, true]])
    expect(await list('?status=succeeded&partial=false')).toEqual([[plain.body.id, false]])
    const bad = await server.call('GET', '/api/flows/f1/runs?partial=yes')
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toMatch(/^partial:/)

    // Replaying the request by its key answers with the stored run, partial included.
    const keyed = await server.call('POST', '/api/flows/f1/runs', { headers: { 'idempotency-key': 'k' } })
    const replay = await server.call('POST', '/api/flows/f1/runs', { headers: { 'idempotency-key': 'k' } })
    expect(replay.body).toMatchObject({ id: keyed.body.id, partial: false })
  })
})
