import { resourceMethod } from '../../../../plugins/aws-resource/catalogue.ts'
import { methodOptions } from './option-sources.ts'

/**
 * What a node's AWS choices become when one of them changes: a method belongs to one service and
 * addons to one method, so a choice the new service or method does not have is replaced at once,
 * not left to fail on Save ("ec2 has no method DBInstances").
 */

/** The config with `service` chosen: its first method (or action) in `methodField`, its addons kept where the new method has them. */
export function withService(
  config: Record<string, unknown>,
  service: string,
  methodField: string | null,
  kind: 'resources' | 'actions'
): Record<string, unknown> {
  const first = methodOptions(service, kind, '')[0]?.value
  const { method: _m, action: _a, ...rest } = config
  const next: Record<string, unknown> = { ...rest, service }
  if (methodField && first) next[methodField] = first
  return kind === 'resources' ? keepAddons(next, service, String(first ?? '')) : dropAddons(next)
}

/** The config with `method` chosen: addons the new method does not offer are dropped. */
export function withMethod(
  config: Record<string, unknown>,
  methodField: string,
  method: string,
  kind: 'resources' | 'actions'
): Record<string, unknown> {
  const next = { ...config, [methodField]: method }
  return kind === 'resources' ? keepAddons(next, String(config.service ?? 'rds'), method) : next
}

function keepAddons(
  config: Record<string, unknown>,
  service: string,
  method: string
): Record<string, unknown> {
  if (!Array.isArray(config.addons)) return config
  const specs = resourceMethod(`${service}.${method}`)?.addons ?? []
  const offered = config.addons.map(String).filter((key) => specs.some((a) => a.key === key))
  // An addon that reads another's resources goes when that one goes.
  const addons = offered.filter((key) => {
    const after = specs.find((a) => a.key === key)?.after
    return !after || offered.includes(after)
  })
  return addons.length ? { ...config, addons } : dropAddons(config)
}

function dropAddons(config: Record<string, unknown>): Record<string, unknown> {
  const { addons: _addons, ...rest } = config
  return rest
}
