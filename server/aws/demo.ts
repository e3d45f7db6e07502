import type { AccountRecord } from './account.ts'

/**
 * The demo account: a snapshot of a made-up but realistic estate shipped in
 * `examples/demo-estate/`, so the sample QFlow runs on a fresh install with no AWS account and no
 * network. Seeded at boot when absent; a user's edits to it are never overwritten.
 */
export const DEMO_ACCOUNT_ID = 'demo'

export function demoAccountRecord(now = new Date()): AccountRecord {
  const stamp = now.toISOString()
  return {
    id: DEMO_ACCOUNT_ID,
    name: 'Demo estate (snapshot)',
    kind: 'snapshot',
    awsAccountId: '111122223333',
    regions: ['us-east-1', 'eu-west-1'],
    // Relative snapshot paths start at the qflow install folder.
    snapshot: { path: 'examples/demo-estate' },
    createdAt: stamp,
    updatedAt: stamp,
  }
}

/** Insert the demo account unless an account with its id exists. True when it was added. */
export async function seedDemoAccount(repo: {
  insert(record: AccountRecord): Promise<boolean>
}): Promise<boolean> {
  return repo.insert(demoAccountRecord())
}
