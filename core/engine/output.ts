import type { PortItems } from '../plugin/types.ts'

/**
 * Why a node's return value is not `{port: item[]}` with plain objects as items, or undefined
 * when it is. Checked once per step, so a community plugin that returns the wrong shape fails its
 * own node with a clear message instead of breaking whatever reads its output later.
 */
export function outputProblem(output: unknown): string | undefined {
  if (output === undefined || output === null) return undefined
  if (typeof output !== 'object' || Array.isArray(output)) {
    return `a node returns {port: items[]}; this one returned ${Array.isArray(output) ? 'an array' : typeof output}`
  }
  for (const [port, items] of Object.entries(output as PortItems)) {
    if (!Array.isArray(items)) return `port "${port}": expected an array of items, got ${typeof items}`
    for (let index = 0; index < items.length; index++) {
      const item = items[index]
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        return `port "${port}", item ${index}: items are JSON objects, got ${item === null ? 'null' : Array.isArray(item) ? 'an array' : typeof item}`
      }
    }
  }
  return undefined
}
