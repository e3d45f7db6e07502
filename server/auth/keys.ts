import { randomUUID } from 'node:crypto'
import { and, desc, eq, isNull, ne, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { apiKeys } from '../db/schema/auth.ts'
import { AppError } from '../errors.ts'
import { parseInput } from '../parse-input.ts'
import { displayPrefix, generateApiKey, hashKey } from './key-material.ts'
import { type KeyRequest, keyRequest } from './key-request.ts'
import type { Principal } from './roles.ts'

export type ApiKeyRow = typeof apiKeys.$inferSelect
/** A key as listed: never the hash, never the key. */
export type ApiKeyInfo = Omit<ApiKeyRow, 'hash'>

/** How long a looked-up key is trusted before the database is asked again (other processes' revokes). */
const CACHE_MS = 2000
const CACHE_LIMIT = 10_000
/** `lastUsedAt` is a hint for people cleaning up keys; minute precision saves a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000

/**
 * API keys: create (the key is returned once), list, revoke, and authenticate a presented key.
 * Lookups are cached briefly so an API answering a thousand requests a second does not read the
 * key table a thousand times; a revoke in this process takes effect at once, one made by another
 * process sharing the database within `CACHE_MS`.
 */
export function createKeyStore(db: Db, now: () => number = Date.now) {
  const cache = new Map<string, { principal: Principal | null; at: number; lastUsedAt: number | null }>()
  let activeCount: { value: number; at: number } | undefined

  const info = ({ hash: _hash, ...rest }: ApiKeyRow): ApiKeyInfo => rest

  return {
    /** Create a key from a request checked here, so the API and the command line refuse alike. */
    async create(request: KeyRequest) {
      const input = parseInput(keyRequest, request)
      if (input.role === 'admin' && input.flowIds && input.flowIds.length > 0) {
        // An admin manages keys, so a limit on it would only pretend: it could mint an unlimited key.
        throw new AppError(
          400,
          'VALIDATION_FAILED',
          'flowIds: admin keys are unlimited; give a limited key the editor, runner or viewer role',
          { issues: [{ field: 'flowIds', message: 'admin keys cannot be limited to flows' }] }
        )
      }
      const key = generateApiKey()
      const row: ApiKeyRow = {
        id: randomUUID(),
        name: input.name,
        prefix: displayPrefix(key),
        hash: hashKey(key),
        role: input.role,
        flowIds: input.flowIds ? [...new Set(input.flowIds)] : null,
        createdAt: now(),
        lastUsedAt: null,
        revokedAt: null,
      }
      await db.insert(apiKeys).values(row)
      activeCount = undefined
      return { key, info: info(row) }
    },

    async list(options: { includeRevoked?: boolean } = {}): Promise<ApiKeyInfo[]> {
      const rows = await db
        .select()
        .from(apiKeys)
        .where(options.includeRevoked ? undefined : isNull(apiKeys.revokedAt))
        .orderBy(desc(apiKeys.createdAt))
      return rows.map(info)
    },

    /**
     * Revoke a key; undefined when there is no such key. Revoking twice is harmless. With
     * `keepAnAdmin`, the last active admin key (or the last active key) is not revoked: a 409 says
     * why. The check is part of the one UPDATE, so two revokes racing cannot both pass it.
     */
    async revoke(id: string, options: { keepAnAdmin?: boolean } = {}): Promise<ApiKeyInfo | undefined> {
      const othersActive = (role?: 'admin') =>
        sql`EXISTS (SELECT 1 FROM ${apiKeys} AS other WHERE other.id <> ${id} AND other.revoked_at IS NULL${
          role ? sql` AND other.role = ${role}` : sql``
        })`
      const updated = await db
        .update(apiKeys)
        .set({ revokedAt: now() })
        .where(
          and(
            eq(apiKeys.id, id),
            isNull(apiKeys.revokedAt),
            options.keepAnAdmin
              ? and(othersActive(), or(ne(apiKeys.role, 'admin'), othersActive('admin')))
              : undefined
          )
        )
        .returning({ id: apiKeys.id })
      const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id))
      if (row && updated.length === 0 && row.revokedAt === null) {
        throw new AppError(
          409,
          'LAST_ADMIN_KEY',
          'revoking this key would leave no admin key: nobody could manage keys, and with no key left ' +
            'the server would fall back to keyless single-user mode. Create another admin key first, ' +
            'or set QFLOW_ADMIN_TOKEN',
          { id }
        )
      }
      if (row) cache.delete(row.hash)
      activeCount = undefined
      return row && info(row)
    },

    /** The principal a presented key stands for, or null when it is unknown or revoked. */
    async authenticate(key: string): Promise<Principal | null> {
      const hash = hashKey(key)
      const at = now()
      const cached = cache.get(hash)
      if (cached && at - cached.at < CACHE_MS) {
        touch(hash, cached, at)
        return cached.principal
      }
      const [row] = await db
        .select()
        .from(apiKeys)
        .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt)))
      const principal: Principal | null = row
        ? { id: `key:${row.id}`, role: row.role, flowIds: row.flowIds ?? null }
        : null
      if (cache.size >= CACHE_LIMIT) cache.clear()
      const entry = { principal, at, lastUsedAt: row?.lastUsedAt ?? null }
      cache.set(hash, entry)
      touch(hash, entry, at)
      return principal
    },

    /** Keys that are not revoked, cached as briefly as lookups. Zero keeps loopback mode open. */
    async countActive(): Promise<number> {
      const at = now()
      if (activeCount && at - activeCount.at < CACHE_MS) return activeCount.value
      const [row] = await db
        .select({ count: sql<number>`count(*)` })
        .from(apiKeys)
        .where(isNull(apiKeys.revokedAt))
      activeCount = { value: row?.count ?? 0, at }
      return activeCount.value
    },
  }

  function touch(
    hash: string,
    entry: { principal: Principal | null; lastUsedAt: number | null },
    at: number
  ) {
    if (!entry.principal || (entry.lastUsedAt !== null && at - entry.lastUsedAt < LAST_USED_RESOLUTION_MS))
      return
    entry.lastUsedAt = at
    db.update(apiKeys)
      .set({ lastUsedAt: at })
      .where(eq(apiKeys.hash, hash))
      .then(
        () => {},
        () => {}
      )
  }
}

export type KeyStore = ReturnType<typeof createKeyStore>
