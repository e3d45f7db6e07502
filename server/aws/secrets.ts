import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

/**
 * Static AWS secrets at rest: AES-256-GCM under a key derived from `QFLOW_SECRET_KEY`. Stored as
 * `v1:<iv>:<tag>:<ciphertext>` (base64url), so a later scheme can sit beside this one. GCM's tag
 * makes a wrong key or a tampered value fail loudly instead of yielding garbage credentials.
 */
const VERSION = 'v1'

export class SecretKeyError extends Error {
  readonly code = 'SECRET_KEY_MISSING'
}

export interface SecretBox {
  seal(plain: string): string
  open(sealed: string): string
}

export function createSecretBox(secret: string | undefined = process.env.QFLOW_SECRET_KEY): SecretBox {
  const key = secret && secret.length > 0 ? createHash('sha256').update(secret, 'utf8').digest() : undefined
  const need = () => {
    if (!key)
      throw new SecretKeyError('static AWS credentials need QFLOW_SECRET_KEY set in the server environment')
    return key
  }
  return {
    seal(plain) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', need(), iv)
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return [VERSION, iv, cipher.getAuthTag(), body]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join(':')
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split(':')
      if (version !== VERSION || !iv || !tag || body === undefined)
        throw new Error('stored secret is not in a known format')
      const decipher = createDecipheriv('aes-256-gcm', need(), Buffer.from(iv, 'base64url'))
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      try {
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
          'utf8'
        )
      } catch {
        throw new Error(
          'stored secret cannot be decrypted: QFLOW_SECRET_KEY differs from the one it was sealed with'
        )
      }
    },
  }
}
