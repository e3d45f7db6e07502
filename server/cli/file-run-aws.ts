import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { AccountRecord } from '../aws/account.ts'
import { DEMO_ACCOUNT_ID, demoAccountRecord } from '../aws/demo.ts'
import { createAwsGateway, type ServerAwsGateway } from '../aws/gateway.ts'
import { createSecretBox } from '../aws/secrets.ts'
import type { ServerConfig } from '../config.ts'
import { filePath, openDatabase } from '../db/client.ts'
import { migrateDatabase } from '../db/migrate.ts'
import { createAccountRepo } from '../repos/accounts.ts'

export interface FileRunAws {
  gateway: ServerAwsGateway
  close(): void
}

/**
 * AWS for a flow file the CLI runs in its own process: the accounts of the configured database
 * when there is one (so `qflow run` reaches what the server reaches), and the demo account in any
 * case, so the sample QFlow runs on a fresh checkout with no database, no AWS and no network. A
 * database file that does not exist is not created: running a file stores nothing.
 */
export async function fileRunAws(
  config: Pick<ServerConfig, 'db'> & Partial<Pick<ServerConfig, 'snapshotRoots' | 'awsTimeouts'>>,
  env: Record<string, string | undefined>,
  cwd: string
): Promise<FileRunAws> {
  const path = filePath(config.db.url)
  const exists = !config.db.url.startsWith('file:') || (path !== undefined && existsSync(resolve(cwd, path)))
  const database = exists ? await openDatabase(config.db) : undefined
  try {
    if (database) await migrateDatabase(database)
  } catch (err) {
    database?.close()
    throw err
  }
  const repo = database ? createAccountRepo(database.db) : undefined
  const demo = demoAccountRecord()
  const accounts = {
    async get(id: string): Promise<AccountRecord | undefined> {
      return (await repo?.get(id)) ?? (id === DEMO_ACCOUNT_ID ? demo : undefined)
    },
  }
  const gateway = createAwsGateway({
    accounts,
    secrets: createSecretBox(env.QFLOW_SECRET_KEY),
    ...(config.snapshotRoots ? { snapshotRoots: config.snapshotRoots } : {}),
    ...(config.awsTimeouts ? { timeouts: config.awsTimeouts } : {}),
  })
  return {
    gateway,
    close() {
      gateway.close()
      database?.close()
    },
  }
}
