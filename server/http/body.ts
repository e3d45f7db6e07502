import type { Context } from 'hono'
import { AppError } from '../errors.ts'

/** Deeper JSON than this is refused: no flow needs it, and it would cost stack in every walk. */
export const MAX_JSON_DEPTH = 64

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The request body as JSON, or undefined when there is none. Refuses non-JSON content types,
 * bytes that are not UTF-8, malformed JSON and absurd nesting, each with its own code.
 */
export async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type')
  const bytes = new Uint8Array(await c.req.arrayBuffer())
  if (bytes.length === 0) return undefined
  if (type && !/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new AppError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `send JSON (Content-Type: application/json), not ${type}`
    )
  }
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    throw new AppError(400, 'BODY_NOT_UTF8', 'the request body is not valid UTF-8')
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new AppError(400, 'JSON_MALFORMED', `the request body is not valid JSON: ${(err as Error).message}`)
  }
  if (depthExceeds(value, MAX_JSON_DEPTH)) {
    throw new AppError(400, 'JSON_TOO_DEEP', `the request body nests deeper than ${MAX_JSON_DEPTH} levels`)
  }
  return value
}

/** Iterative, so a hostile document cannot overflow the stack while being measured. */
function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]]
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!
    if (current === null || typeof current !== 'object') continue
    if (depth > limit) return true
    for (const child of Object.values(current)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1])
    }
  }
  return false
}
