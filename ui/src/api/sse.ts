export interface SseMessage {
  event: string
  data: string
  id?: string
  /** The last `retry:` the stream gave: how long to wait before reconnecting, in ms. */
  retry?: number
}

/**
 * Server-sent events over fetch. EventSource cannot send an Authorization header, and the embed
 * uses bearer tokens rather than cookies, so the stream is parsed here (the text/event-stream rules:
 * blank line ends a message, `data:` lines join with newlines, lines starting with ':' are comments).
 */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal
): AsyncGenerator<SseMessage> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  let event = 'message'
  let data: string[] = []
  let id: string | undefined
  let retry: number | undefined
  try {
    while (!signal?.aborted) {
      const { value, done } = await reader.read()
      if (done) break
      buffer += decoder.decode(value, { stream: true })
      let newline = buffer.search(/\r\n|\r|\n/)
      while (newline >= 0) {
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1))
        if (line === '') {
          if (data.length)
            yield { event, data: data.join('\n'), id, ...(retry === undefined ? {} : { retry }) }
          event = 'message'
          data = []
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':')
          const field = colon < 0 ? line : line.slice(0, colon)
          const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
          if (field === 'event') event = val
          else if (field === 'data') data.push(val)
          else if (field === 'id') id = val
          // Only digits count, as in EventSource; anything else is ignored.
          else if (field === 'retry' && /^\d+$/.test(val)) retry = Number(val)
        }
        newline = buffer.search(/\r\n|\r|\n/)
      }
    }
  } finally {
    reader.releaseLock()
  }
}
