import type { Flow } from '../../core/flow/schema.ts'
import { parseNodeConfig } from '../../core/flow/validate.ts'
import type { PluginRegistry } from '../../core/plugin/registry.ts'
import type { FireOptions, Services, Teardown } from '../../core/plugin/types.ts'
import type { Logger } from '../log.ts'

export interface DeployedFlow {
  id: string
  version: number
  flow: Flow
}

export interface TriggerManagerDeps {
  registry: PluginRegistry
  /** Every deployed flow, current version. */
  loadDeployed(): Promise<DeployedFlow[]>
  /** Start a run of a deployed flow for its trigger. */
  fire(flowId: string, input: unknown, options: FireOptions): Promise<void>
  services: Services
  log: Logger
  /** How often deploys and undeploys made by other processes sharing the database are picked up. */
  syncMs: number
}

interface Armed {
  version: number
  teardown: Promise<Teardown>
}

/**
 * Keeps the triggers of deployed flows armed: one activation per deployed flow version, torn down
 * on undeploy, delete or a new version. Deploys in this process apply at once (`refresh`); the
 * periodic sync picks up those of other processes. Every process arms every deployed schedule;
 * the fire's dedupe key makes each instant one run however many processes fire it.
 */
export function createTriggerManager(deps: TriggerManagerDeps) {
  const armed = new Map<string, Armed>()
  /** The last refresh queued per flow: the next one waits for it. */
  const refreshing = new Map<string, Promise<void>>()
  let timer: NodeJS.Timeout | undefined
  let syncing: Promise<void> | undefined

  function arm(deployed: DeployedFlow) {
    const trigger = deployed.flow.nodes.find(
      (node) => deps.registry.get(node.type)?.manifest.category === 'trigger'
    )
    const plugin = trigger && deps.registry.get(trigger.type)
    if (!trigger || !plugin?.activate) return
    const config = parseNodeConfig(plugin, trigger)
    if (!config.ok) {
      deps.log(
        'warn',
        `flow ${deployed.id} is deployed with an invalid trigger; it will not fire`,
        config.issues
      )
      return
    }
    const teardown = Promise.resolve(
      plugin.activate({
        flowId: deployed.id,
        node: { id: trigger.id, type: trigger.type, label: trigger.label },
        config: config.config,
        fire: (input, options = {}) => deps.fire(deployed.id, input, options),
        log: (level, message, data) => deps.log(level, `[trigger ${deployed.id}] ${message}`, data),
        services: deps.services,
      })
    ).catch((err): Teardown => {
      deps.log('error', `arming the trigger of flow ${deployed.id} failed`, err)
      return () => {}
    })
    armed.set(deployed.id, { version: deployed.version, teardown })
  }

  async function disarm(flowId: string) {
    const entry = armed.get(flowId)
    if (!entry) return
    armed.delete(flowId)
    try {
      await (await entry.teardown)()
    } catch (err) {
      deps.log('warn', `disarming the trigger of flow ${flowId} failed`, err)
    }
  }

  async function sync() {
    const deployed = await deps.loadDeployed()
    const wanted = new Map(deployed.map((flow) => [flow.id, flow]))
    for (const flowId of [...armed.keys()]) {
      const next = wanted.get(flowId)
      if (!next || next.version !== armed.get(flowId)!.version) await disarm(flowId)
    }
    for (const flow of deployed) if (!armed.has(flow.id)) arm(flow)
  }

  const syncOnce = () => {
    syncing ??= sync()
      .catch((err) => deps.log('warn', 'syncing deployed triggers failed; will retry', err))
      .finally(() => {
        syncing = undefined
      })
    return syncing
  }

  return {
    async start() {
      await syncOnce()
      timer = setInterval(syncOnce, deps.syncMs)
      timer.unref()
    },
    /**
     * A flow was deployed, changed or undeployed here: apply it now. `current` gives the flow's
     * deployed state (undefined: not deployed or gone); pass a function to have it read when this
     * flow's turn comes. Refreshes of one flow run one after another: interleaved, two saves could
     * each tear down the same activation and both arm, leaving a trigger nobody can disarm, or an
     * older save could arm after a newer one.
     */
    refresh(
      flowId: string,
      current: DeployedFlow | undefined | (() => Promise<DeployedFlow | undefined>)
    ): Promise<void> {
      const apply = async () => {
        await syncing
        const deployed = typeof current === 'function' ? await current() : current
        if (!deployed) return disarm(flowId)
        if (armed.get(flowId)?.version === deployed.version) return
        await disarm(flowId)
        arm(deployed)
      }
      const next = (refreshing.get(flowId) ?? Promise.resolve()).then(apply)
      const settled = next.catch(() => {})
      refreshing.set(flowId, settled)
      void settled.then(() => {
        if (refreshing.get(flowId) === settled) refreshing.delete(flowId)
      })
      return next
    },
    async stop() {
      if (timer) clearInterval(timer)
      await syncing
      await Promise.all([...armed.keys()].map(disarm))
    },
    get armedFlows(): string[] {
      return [...armed.keys()]
    },
  }
}

export type TriggerManager = ReturnType<typeof createTriggerManager>
