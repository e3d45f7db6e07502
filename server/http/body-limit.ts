import type { IncomingMessage } from 'node:http'
import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'

/**
 * Refuse request bodies over `maxSize` bytes. Hono's `bodyLimit` starts by reading
 * `c.req.raw.body`, which makes @hono/node-server turn its lightweight request into a full web
 * `Request` with a body stream: a sixth of the CPU a small run request costs, on every API request.
 * A Node HTTP/1 request says up front how long its body is (Node's parser holds the body to its
 * Content-Length, and a body needs one of Content-Length or Transfer-Encoding), so that is checked
 * from the header and the body is later read straight from the socket. Chunked bodies, and requests
 * that did not come from a Node socket (`app.request` in tests), go through hono's counting check.
 */
export function limitBody(
  maxSize: number,
  onError: (c: Context) => Response | Promise<Response>
): MiddlewareHandler {
  const counting = bodyLimit({ maxSize, onError })
  return async (c, next) => {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
    if (incoming?.httpVersionMajor !== 1 || incoming.headers['transfer-encoding'] !== undefined) {
      return counting(c, next)
    }
    const length = incoming.headers['content-length']
    if (length !== undefined && Number(length) > maxSize) return onError(c)
    await next()
  }
}
