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

async function messagesOf(chunks: string[]) {
  const messages = []
  for await (const m of readSse(streamOf(chunks))) messages.push(m)
  return messages
}

describe('readSse', () => {
  it('parses messages split across chunks, with comments, ids, event names and multi-line data', async () => {
    const messages = await messagesOf([
      ': keep-alive\n\nevent: node.fin',
      'ished\nid: 4\ndata: {"a":\ndata: 1}\r\n\r\n',
      'data: plain\n\n',
    ])
    expect(messages).toEqual([
      { event: 'node.finished', data: '{"a":\n1}', id: '4' },
      { event: 'message', data: 'plain', id: '4' },
    ])
  })
  it('carries the last retry hint on the messages after it, ignoring one that is not a number', async () => {
    const messages = await messagesOf([
      'data: a\n\n',
      'event: server-stopping\ndata: {}\nretry: 1000\n\n',
      'retry: soon\ndata: b\n\n',
    ])
    expect(messages.map((m) => m.retry)).toEqual([undefined, 1000, 1000])
  })
})
