/**
 * Key paths present in sample items, as the key path syntax writes them (`SecurityGroups.IpPermissions`,
 * arrays stepped through without an index). Offered by evidence-key and param-key pickers.
 */
export function keyPathsOf(items: unknown[], limit = 400, maxDepth = 5): string[] {
  const seen = new Set<string>()
  const visit = (value: unknown, prefix: string, depth: number) => {
    if (seen.size >= limit || depth > maxDepth) return
    if (Array.isArray(value)) {
      for (const entry of value.slice(0, 20)) visit(entry, prefix, depth)
      return
    }
    if (!value || typeof value !== 'object') return
    for (const [key, child] of Object.entries(value)) {
      if (seen.size >= limit) return
      if (key === '_qflow' && !prefix) {
        for (const sub of Object.keys(child as object)) seen.add(`_qflow.${sub}`)
        continue
      }
      const path = prefix ? `${prefix}.${key}` : key
      seen.add(path)
      visit(child, path, depth + 1)
    }
  }
  for (const item of items.slice(0, 50)) visit(item, '', 0)
  return [...seen].sort((a, b) => a.split('.').length - b.split('.').length || a.localeCompare(b))
}
