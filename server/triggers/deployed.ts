import { eq } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { flows } from '../db/schema/flows.ts'
import type { DeployedFlow } from './manager.ts'

/** Every deployed flow at its current version: what the trigger manager keeps armed. */
export async function loadDeployedFlows(db: Db): Promise<DeployedFlow[]> {
  const rows = await db
    .select({ id: flows.id, version: flows.version, flow: flows.document })
    .from(flows)
    .where(eq(flows.deployed, true))
  return rows.map((row) => ({ id: row.id, version: row.version, flow: { ...row.flow, id: row.id } }))
}
