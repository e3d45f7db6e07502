import { asc, eq } from 'drizzle-orm'
import type { LibSQLDatabase } from 'drizzle-orm/libsql'
import type { AccountRecord } from '../aws/account.ts'
import { accounts } from '../db/schema/accounts.ts'

type Row = typeof accounts.$inferSelect

function toRecord(row: Row): AccountRecord {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    ...(row.awsAccountId ? { awsAccountId: row.awsAccountId } : {}),
    regions: row.regions,
    ...(row.endpoint ? { endpoint: row.endpoint } : {}),
    ...(row.credentials ? { credentials: row.credentials } : {}),
    ...(row.assumeRole ? { assumeRole: row.assumeRole } : {}),
    ...(row.snapshot ? { snapshot: row.snapshot } : {}),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}

function toRow(record: AccountRecord): Row {
  return {
    id: record.id,
    name: record.name,
    kind: record.kind,
    awsAccountId: record.awsAccountId ?? null,
    regions: record.regions,
    endpoint: record.endpoint ?? null,
    credentials: record.credentials ?? null,
    assumeRole: record.assumeRole ?? null,
    snapshot: record.snapshot ?? null,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  }
}

/** Account records on libSQL. Also the gateway's account source. */
export function createAccountRepo(db: LibSQLDatabase<any>) {
  return {
    async list(): Promise<AccountRecord[]> {
      return (await db.select().from(accounts).orderBy(asc(accounts.name), asc(accounts.id))).map(toRecord)
    },
    /** Every account id, for checking what flows are bound to without loading the records. */
    async ids(): Promise<Set<string>> {
      return new Set((await db.select({ id: accounts.id }).from(accounts)).map((row) => row.id))
    },
    async get(id: string): Promise<AccountRecord | undefined> {
      const [row] = await db.select().from(accounts).where(eq(accounts.id, id)).limit(1)
      return row ? toRecord(row) : undefined
    },
    /** Insert; false when the id is taken. */
    async insert(record: AccountRecord): Promise<boolean> {
      const result = await db.insert(accounts).values(toRow(record)).onConflictDoNothing()
      return result.rowsAffected === 1
    },
    async replace(record: AccountRecord): Promise<boolean> {
      const { id, createdAt: _, ...rest } = toRow(record)
      const result = await db.update(accounts).set(rest).where(eq(accounts.id, id))
      return result.rowsAffected === 1
    },
    async remove(id: string): Promise<boolean> {
      const result = await db.delete(accounts).where(eq(accounts.id, id))
      return result.rowsAffected === 1
    },
  }
}

export type AccountRepo = ReturnType<typeof createAccountRepo>
