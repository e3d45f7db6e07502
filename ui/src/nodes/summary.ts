/** The config with the schema's top-level defaults filled in, so a summary shows what will run. */
export function withDefaults(config: Record<string, unknown>, schema: unknown): Record<string, unknown> {
  const properties = (schema as { properties?: Record<string, { default?: unknown }> } | undefined)
    ?.properties
  if (!properties) return config
  const out = { ...config }
  for (const [key, prop] of Object.entries(properties))
    if (out[key] === undefined && prop?.default !== undefined) out[key] = prop.default
  return out
}

/**
 * One line that says what a node is set to do, e.g. "RDS · DB Instances · 2 regions". It reads the
 * config generically (common field names across plugins), so community nodes get a summary too.
 */
export function configSummary(type: string, config: Record<string, unknown>): string {
  if (type === 'trigger') return triggerSummary(config)
  const parts: string[] = []
  const service = str(config.service)
  const method = str(config.method) ?? str(config.resource) ?? str(config.action)
  if (service) parts.push(service.toUpperCase())
  if (method) parts.push(humanize(method))
  const regions = list(config.regions)
  if (regions) parts.push(regions.length === 1 ? String(regions[0]) : `${regions.length} regions`)
  const accounts = list(config.accounts)
  if (accounts)
    parts.push(accounts.length === 1 ? `account ${String(accounts[0])}` : `${accounts.length} accounts`)
  const addons = list(config.addons)
  if (addons?.length) parts.push(`+${addons.map((a) => humanize(String(a))).join(', ')}`)
  const criteria = config.criteria
  if (criteria && typeof criteria === 'object') {
    const count = countConditions(criteria)
    parts.push(count === 1 ? '1 condition' : `${count} conditions`)
  }
  const data = str(config.dataKey) ?? str(config.data) ?? str(config.input)
  if (data && !parts.length) parts.push(data)
  if (parts.length) return parts.join(' · ')
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      return `${humanize(key)}: ${String(value)}`
  }
  return 'Not configured'
}

function triggerSummary(config: Record<string, unknown>): string {
  switch (config.kind) {
    case 'recurrent':
      return `Every ${config.every ?? 1} ${config.unit ?? 'hours'}${config.at ? ` at ${config.at}` : ''}`
    case 'cron':
      return `Cron ${str(config.expression) ?? ''}`
    case 'totalcloud':
      return 'TotalCloud connector'
    case 'event':
      return 'Cloud event'
    default:
      return 'Manual'
  }
}

/** Leaf conditions in a criteria tree of any nesting (groups hold `conditions`, `rules` or `children`). */
export function countConditions(node: unknown): number {
  if (!node || typeof node !== 'object') return 0
  const record = node as Record<string, unknown>
  const children = record.conditions ?? record.rules ?? record.children
  if (Array.isArray(children)) return children.reduce((sum: number, c) => sum + countConditions(c), 0)
  return 1
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined)
const list = (v: unknown): unknown[] | undefined => (Array.isArray(v) && v.length ? v : undefined)

/** `describeDBInstances` → "DB Instances"; `DBInstances` → "DB Instances"; `security_groups` → "Security groups". */
export function humanize(name: string): string {
  const stripped = name.replace(/^(describe|list|get)(?=[A-Z])/, '')
  const spaced = stripped
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .trim()
  return spaced.charAt(0).toUpperCase() + spaced.slice(1)
}
