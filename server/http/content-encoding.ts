import type { MiddlewareHandler } from 'hono'
import { AppError } from '../errors.ts'

/**
 * Request bodies are read as sent: a compressed one (`Content-Encoding: gzip`) would otherwise
 * reach the JSON reader as bytes and be misreported as "not valid UTF-8". 415 with
 * `Accept-Encoding: identity` is how RFC 7694 says "send it uncompressed". Checked before
 * authentication, so a compressed signed request hears why rather than "bad signature".
 */
export const identityEncoding: MiddlewareHandler = async (c, next) => {
  const encoding = c.req.header('content-encoding')
  if (encoding !== undefined && !/^\s*(identity)?\s*$/i.test(encoding)) {
    throw new AppError(
      415,
      'UNSUPPORTED_CONTENT_ENCODING',
      `Content-Encoding: ${encoding.slice(0, 40)} is not supported; send the body uncompressed`,
      { field: 'Content-Encoding' },
      { 'Accept-Encoding': 'identity' }
    )
  }
  await next()
}
