/** The messages of a finished `text/event-stream` body, each with its event name and JSON data. */
export function parseSse(text: string): { event: string; data: any }[] {
  return text
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const lines = block.split('\n')
      const event =
        lines
          .find((line) => line.startsWith('event:'))
          ?.slice(6)
          .trim() ?? 'message'
      const data = lines
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n')
      return { event, data: JSON.parse(data) }
    })
}

/**
 * A streamed body as far as it got before the server closed the connection (a cut counts as the
 * end); `onText` sees the text so far after each chunk.
 */
export async function readUntilClosed(response: Response, onText?: (text: string) => void): Promise<string> {
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return text
      text += decoder.decode(value, { stream: true })
      onText?.(text)
    }
  } catch {
    return text
  }
}
