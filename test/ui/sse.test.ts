import { describe, expect, it } from 'vitest'
import { readSse } from '../../ui/src/api/sse.ts'

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk))
      controller.close()
    },
  })
}

describe('readSse', () => {
  it('parses messages split across chunks, with comments, ids, event names and multi-line data', async () => {
    const stream = streamOf([
      ': keep-alive\n\nevent: node.fin',
      'ished\nid: 4\ndata: {"a":\ndata: 1}\r\n\r\n',
      'data: plain\n\n',
    ])
    const messages = []
    for await (const m of readSse(stream)) messages.push(m)
    expect(messages).toEqual([
      { event: 'node.finished', data: '{"a":\n1}', id: '4' },
      { event: 'message', data: 'plain', id: '4' },
    ])
  })
})
