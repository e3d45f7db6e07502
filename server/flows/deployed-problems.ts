import { validateFlow } from '../../core/flow/validate.ts'
import type { PluginRegistry } from '../../core/plugin/registry.ts'
import type { Db } from '../db/client.ts'
import type { Logger } from '../log.ts'
import { loadDeployedFlows } from '../triggers/deployed.ts'

/**
 * One warning per deployed flow that has problems: a flow stored before a check was added (a
 * variable value not of its type, an unknown config key) or whose plugin is gone stays deployed,
 * but each of its schedule and trigger runs is refused, so the operator hears it at boot rather
 * than from a silent schedule. Returns how many flows were reported.
 */
export async function warnDeployedFlowProblems(
  db: Db,
  registry: PluginRegistry,
  log: Logger
): Promise<number> {
  let reported = 0
  for (const { id, flow } of await loadDeployedFlows(db)) {
    const problems = validateFlow(flow, registry)
    const first = problems[0]
    if (!first) continue
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''
    log('warn', `deployed flow ${id} has problems, so its runs are refused: ${first.message}${more}`)
    reported++
  }
  return reported
}
