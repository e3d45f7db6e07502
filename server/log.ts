import type { LogLevel } from '../core/plugin/types.ts'
import type { ConfigLogLevel } from './config.ts'

export type Logger = (level: LogLevel, message: string, data?: unknown) => void

const RANK: Record<ConfigLogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

/**
 * One line per entry on stderr: time, level, message, then data as JSON. Plain text because the
 * default deployment is one process whose output a person reads; ship it to a collector as is.
 */
export function createLogger(
  level: ConfigLogLevel,
  write: (line: string) => void = (line) => process.stderr.write(line + '\n')
): Logger {
  const threshold = RANK[level]
  return (entryLevel, message, data) => {
    if (RANK[entryLevel] < threshold) return
    const suffix = data === undefined ? '' : ' ' + safeJson(data)
    write(`${new Date().toISOString()} ${entryLevel.toUpperCase()} ${message}${suffix}`)
  }
}

function safeJson(data: unknown): string {
  if (data instanceof Error) return JSON.stringify({ error: data.message, stack: data.stack })
  try {
    return JSON.stringify(data)
  } catch {
    return String(data)
  }
}
