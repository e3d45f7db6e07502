/**
 * Items on edges are plain JSON. SDK responses carry `Date` objects and a `$metadata` block; turn
 * dates into ISO strings (what the run record would store anyway) so a flow sees the same shape
 * live, from a snapshot, and after a reload. Mutates in place: responses are fresh objects and
 * large, and a copy per resource would double the memory of a big listing.
 */
export function toPlainJson<T>(value: T): T {
  if (value instanceof Date) return value.toISOString() as T
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = toPlainJson(value[i])
    return value
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>
    for (const key in record) {
      const element = record[key]
      if (typeof element === 'object' && element !== null) record[key] = toPlainJson(element)
    }
  }
  return value
}
