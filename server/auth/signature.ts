import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Signed requests for the TotalCloud trigger endpoint, for connectors that sign webhooks rather
 * than send an API key:
 *
 *   X-QFlow-Timestamp: <unix seconds>
 *   X-QFlow-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<path>.<raw body>")>
 *
 * `<path>` is the request's URL path as sent, e.g. `/api/flows/public-rds/trigger/totalcloud`: a
 * request signed for one flow cannot be posted to another. The timestamp is inside the signed text,
 * so it cannot be changed; a request older (or further in the future) than the tolerance is stale. Several `sha256=` values may be sent, comma-separated,
 * and several secrets configured, so a secret can be rotated without downtime.
 */
export const TIMESTAMP_HEADER = 'x-qflow-timestamp'
export const SIGNATURE_HEADER = 'x-qflow-signature'
export const SIGNATURE_TOLERANCE_SECONDS = 300

export function signRequest(secret: string, timestamp: number, path: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${path}.${body}`).digest('hex')}`
}

export type SignatureCheck = { ok: true; digest: string; expiresAt: number } | { ok: false; reason: string }

/** Check the signature and freshness of a request. Replays are the caller's part (a stored digest). */
export function verifySignature(input: {
  secrets: string[]
  timestamp: string | undefined
  signature: string | undefined
  path: string
  body: string
  now: number
}): SignatureCheck {
  if (input.secrets.length === 0) return { ok: false, reason: 'signed requests are not enabled' }
  if (!input.timestamp || !input.signature) {
    return { ok: false, reason: `send ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER}` }
  }
  if (!/^\d{1,12}$/.test(input.timestamp)) return { ok: false, reason: `${TIMESTAMP_HEADER} is unix seconds` }
  const timestamp = Number(input.timestamp)
  if (Math.abs(input.now / 1000 - timestamp) > SIGNATURE_TOLERANCE_SECONDS) {
    return { ok: false, reason: `the request is stale: ${TIMESTAMP_HEADER} is more than 5 minutes off` }
  }
  const sent = input.signature
    .split(',')
    .map((part) => part.trim())
    .filter((part) => /^sha256=[0-9a-f]{64}$/i.test(part))
    .map((part) => Buffer.from(part.slice('sha256='.length).toLowerCase(), 'hex'))
  for (const secret of input.secrets) {
    const expected = Buffer.from(
      signRequest(secret, timestamp, input.path, input.body).slice('sha256='.length),
      'hex'
    )
    if (sent.some((candidate) => timingSafeEqual(candidate, expected))) {
      const digest = createHash('sha256').update(expected).digest('hex')
      return { ok: true, digest, expiresAt: (timestamp + SIGNATURE_TOLERANCE_SECONDS + 60) * 1000 }
    }
  }
  return { ok: false, reason: 'the signature does not match' }
}
