import { describe, expect, it } from 'vitest'
import { createFrameReader, encodeFrame } from '../../server/plugins/worker/frames.mjs'

function reader(maxBytes = 1024) {
  const messages: unknown[] = []
  const errors: string[] = []
  const push = createFrameReader({
    maxBytes,
    onMessage: (message) => messages.push(message),
    onError: (error) => errors.push(error.message),
  })
  return { push, messages, errors }
}

describe('the framing of worker messages', () => {
  it('reads frames split across chunks and several frames in one chunk', () => {
    const { push, messages, errors } = reader()
    const both = Buffer.concat([encodeFrame({ t: 'a', n: 1 }), encodeFrame({ t: 'b', text: 'é' })])
    for (let i = 0; i < both.length; i += 3) push(both.subarray(i, i + 3))
    push(Buffer.concat([encodeFrame({ t: 'c' }), encodeFrame({ t: 'd' })]))
    expect(messages).toEqual([{ t: 'a', n: 1 }, { t: 'b', text: 'é' }, { t: 'c' }, { t: 'd' }])
    expect(errors).toEqual([])
  })

  it('refuses a frame over the limit from its header, and reads nothing after an error', () => {
    const { push, messages, errors } = reader(10)
    push(Buffer.from([0, 0, 0, 11]))
    push(encodeFrame({ t: 'x' }))
    expect(errors).toEqual(['a message of 11 bytes, over the limit of 10 bytes'])
    expect(messages).toEqual([])
  })

  it('refuses a frame that is not JSON, or JSON without a message type', () => {
    const bad = reader()
    bad.push(Buffer.from([0, 0, 0, 2, 0xff, 0x0f]))
    expect(bad.errors).toEqual(['a message of 2 bytes that is not JSON'])
    const untyped = reader()
    untyped.push(encodeFrame([1, 2]))
    expect(untyped.errors).toEqual(['a message without a type'])
  })

  it('will not encode what JSON cannot carry', () => {
    expect(() => encodeFrame({ t: 'x', n: 1n })).toThrow(/BigInt/)
  })
})
