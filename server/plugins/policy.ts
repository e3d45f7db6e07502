/** Which plugin packages this host accepts, by package name. `*` matches any run of characters. */
export interface PluginPolicy {
  /** When not empty, only names matching one of these are accepted. */
  allow: string[]
  /** Names matching one of these are refused, even when allowed. */
  deny: string[]
}

function matches(name: string, pattern: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map(escapeRegex).join('.*')}$`)
  return regex.test(name)
}

function escapeRegex(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
}

/** Why a package may not be installed or loaded here, or undefined when it may. */
export function policyRefusal(name: string, policy: PluginPolicy): string | undefined {
  const denied = policy.deny.find((pattern) => matches(name, pattern))
  if (denied) return `plugin "${name}" is on the deny list (${denied})`
  if (policy.allow.length > 0 && !policy.allow.some((pattern) => matches(name, pattern))) {
    return `plugin "${name}" is not on the allow list (${policy.allow.join(', ')})`
  }
  return undefined
}
