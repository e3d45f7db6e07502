import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** Marks a string as a qflow key, so secret scanners and people recognise one in a log or a repo. */
export const KEY_PREFIX = 'qf_'

/**
 * A new API key: 32 random bytes, base64url. With 256 bits of entropy a key cannot be guessed or
 * brute-forced from its hash, so a plain SHA-256 is enough to store it (slow password hashes exist
 * for low-entropy secrets people choose) and lets a request be checked with one indexed lookup.
 */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url')
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

/** What a listing shows of a key: enough to recognise it, far too little to use it. */
export function displayPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 6)
}

export function digestOf(secret: string): Buffer {
  return createHash('sha256').update(secret).digest()
}

/**
 * Compare a presented secret with a known one's digest, in time that does not depend on where
 * they differ (digests have one length, so even the length of the secret does not leak).
 */
export function sameDigest(presented: string, known: Buffer): boolean {
  return timingSafeEqual(digestOf(presented), known)
}
