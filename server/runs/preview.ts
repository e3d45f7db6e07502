import type { Item, PortItems } from '../../core/plugin/types.ts'
import type { ItemsPreview } from '../db/schema/runs.ts'

/** Bounds of a step preview: enough to recognise the data in a list view, never a payload. */
export const PREVIEW_MAX_ITEMS = 3
export const PREVIEW_MAX_BYTES = 8 * 1024

/**
 * The first few items of each port, stopping before the serialised preview passes the byte
 * bound. An item too large on its own is left out (the full output is one request away).
 */
export function previewOf(items: PortItems): ItemsPreview {
  const ports: Record<string, Item[]> = {}
  let budget = PREVIEW_MAX_BYTES
  let truncated = false
  for (const [port, list] of Object.entries(items)) {
    const kept: Item[] = []
    for (const item of list.slice(0, PREVIEW_MAX_ITEMS)) {
      const size = jsonSize(item)
      if (size > budget) {
        truncated = true
        continue
      }
      budget -= size
      kept.push(item)
    }
    if (list.length > kept.length) truncated = true
    ports[port] = kept
  }
  return { ports, truncated }
}

/** Items per port. */
export function portCounts(items: PortItems): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const [port, list] of Object.entries(items)) counts[port] = list.length
  return counts
}

function jsonSize(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0
  } catch {
    return Number.POSITIVE_INFINITY
  }
}

/**
 * Serialise a step payload. Items are meant to be plain JSON, but a plugin can still hand back a
 * BigInt or a cycle; record that as a readable error instead of losing the whole run's writes.
 */
export function payloadJson(items: PortItems): string {
  try {
    return JSON.stringify(items)
  } catch (err) {
    return JSON.stringify({ _qflowError: `the items could not be stored as JSON: ${(err as Error).message}` })
  }
}
