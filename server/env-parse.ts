import type { z } from 'zod'
import { describeIssue } from '../core/zod-messages.ts'
import { QUOTES_VALUE } from './env-number.ts'

export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

/**
 * Environment variables through a schema, or a ConfigError naming each bad variable, one a line,
 * in the same words wherever a setting is read (the server's, the plugins'). A message that quotes
 * the value already (`wholeNumber`, `envFlag`, a choice: `got "maybe"`) is shown as is; others get `NAME="value"` in front,
 * except `secret` variables, whose values never appear: boot errors end up in logs.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
  secret: ReadonlySet<string> = new Set()
): z.infer<S> {
  const parsed = schema.safeParse(env, { error: describeIssue })
  if (parsed.success) return parsed.data
  const lines = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0])
    const quoted =
      (issue.code === 'custom' && issue.params?.[QUOTES_VALUE] === true) || issue.code === 'invalid_value'
    const where = secret.has(name)
      ? `${name}${issue.path.length > 1 ? ` (entry ${Number(issue.path[1]) + 1})` : ''} (value hidden)`
      : quoted
        ? name
        : `${issue.path.join('.')}=${JSON.stringify(env[name])}`
    return `${where}: ${issue.message}`
  })
  throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`)
}
