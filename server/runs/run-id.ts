import { randomFillSync } from 'node:crypto'

/** Random bytes drawn from the OS in blocks, so an id costs no system call of its own. */
const POOL_IDS = 256
const pool = Buffer.alloc(16 * POOL_IDS)
let used = POOL_IDS

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'))

/**
 * A new run id: a UUID version 7 (RFC 9562), the creation time in ms followed by 74 random bits.
 * Time-ordered ids put each new run, and its steps, at the end of the tables' primary-key b-trees
 * instead of on a random page, so a commit of many new runs rewrites a few pages rather than one
 * per run; they also sort by creation. The random part keeps them unguessable and unique.
 */
export function newRunId(now: number = Date.now()): string {
  if (used === POOL_IDS) {
    randomFillSync(pool)
    used = 0
  }
  const bytes = pool.subarray(used * 16, ++used * 16)
  // 48-bit big-endian timestamp in bytes 0-5 (the random bytes there are overwritten).
  let time = now
  for (let i = 5; i >= 0; i--) {
    bytes[i] = time % 256
    time = Math.floor(time / 256)
  }
  bytes[6] = 0x70 | (bytes[6]! & 0x0f)
  bytes[8] = 0x80 | (bytes[8]! & 0x3f)
  let id = ''
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) id += '-'
    id += HEX[bytes[i]!]
  }
  return id
}
