/**
 * The wire between the host and a plugin worker: each message is JSON, sent as a 4-byte big-endian
 * length and that many bytes of UTF-8. Used on both sides of the worker's private pipe (fd 3).
 *
 * Not Node's IPC channel: Node decodes IPC messages inside the parent's event loop, and a message
 * it cannot decode (plugin code writing garbage to the channel's fd) throws there, killing the
 * server. Here the host decodes each frame itself, inside try/catch, with a size limit, and a frame
 * it cannot read only stops that worker.
 *
 * Plain JavaScript: the sandboxed worker runs it without a TypeScript loader.
 */

const HEADER_BYTES = 4

/** One message as a frame; throws when `message` is not JSON (BigInt, a cycle). */
export function encodeFrame(message) {
  return encodeJsonFrame(JSON.stringify(message))
}

/** A message already written as JSON text, as a frame. */
export function encodeJsonFrame(json) {
  const body = Buffer.from(json, 'utf8')
  const frame = Buffer.allocUnsafe(HEADER_BYTES + body.length)
  frame.writeUInt32BE(body.length, 0)
  body.copy(frame, HEADER_BYTES)
  return frame
}

/**
 * Feed it the bytes as they arrive; it calls `onMessage` for each whole frame, or `onError` once
 * (then ignores everything after) for a frame over `maxBytes` or one that is not JSON.
 */
export function createFrameReader({ maxBytes, onMessage, onError }) {
  let chunks = []
  let buffered = 0
  let failed = false

  function fail(message) {
    failed = true
    chunks = []
    buffered = 0
    onError(new Error(message))
  }

  function take(count) {
    const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, buffered)
    const taken = all.subarray(0, count)
    const rest = all.subarray(count)
    chunks = rest.length > 0 ? [rest] : []
    buffered = rest.length
    return taken
  }

  function peekLength() {
    // A header split across chunks is joined once, into the first chunk: a sender dribbling bytes
    // must not make every later chunk copy everything buffered so far.
    if (chunks[0].length < HEADER_BYTES) chunks = [Buffer.concat(chunks, buffered)]
    return chunks[0].readUInt32BE(0)
  }

  return function push(chunk) {
    if (failed) return
    chunks.push(chunk)
    buffered += chunk.length
    while (!failed && buffered >= HEADER_BYTES) {
      const length = peekLength()
      if (length > maxBytes) {
        fail(`a message of ${length} bytes, over the limit of ${maxBytes} bytes`)
        return
      }
      if (buffered < HEADER_BYTES + length) return
      const body = take(HEADER_BYTES + length).subarray(HEADER_BYTES)
      let message
      try {
        message = JSON.parse(body.toString('utf8'))
      } catch {
        // Not the parser's message: it quotes the bytes, and they are the sender's to choose.
        fail(`a message of ${length} bytes that is not JSON`)
        return
      }
      if (message === null || typeof message !== 'object' || typeof message.t !== 'string') {
        fail('a message without a type')
        return
      }
      onMessage(message)
    }
  }
}
