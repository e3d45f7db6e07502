import { eq, lt } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { seenSignatures } from '../db/schema/auth.ts'

/**
 * Remembers accepted signatures until they would be stale anyway. The primary key makes "first
 * time?" one atomic insert, so two processes receiving the same replayed request cannot both
 * accept it. A signature is claimed while its request is handled and forgotten again when the
 * request is refused (queue full, flow not deployed, bad body...), so the sender can retry it.
 */
export function createReplayGuard(db: Db) {
  return {
    /** True the first time a digest is seen (it is claimed from then on), false for a replay. */
    async firstSeen(digest: string, expiresAt: number): Promise<boolean> {
      const inserted = await db
        .insert(seenSignatures)
        .values({ digest, expiresAt })
        .onConflictDoNothing()
        .returning({ digest: seenSignatures.digest })
      return inserted.length > 0
    },

    /** Release a claimed digest: its request was refused, so sending it again is a retry, not a replay. */
    async forget(digest: string): Promise<void> {
      await db.delete(seenSignatures).where(eq(seenSignatures.digest, digest))
    },

    /** Forget signatures past their expiry; run now and then so the table stays small. */
    async prune(now: number): Promise<number> {
      const deleted = await db
        .delete(seenSignatures)
        .where(lt(seenSignatures.expiresAt, now))
        .returning({ digest: seenSignatures.digest })
      return deleted.length
    },
  }
}

export type ReplayGuard = ReturnType<typeof createReplayGuard>
