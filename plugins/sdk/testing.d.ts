import type { AwsCallRequest, PluginContext } from './index.js'

export interface TestContextOptions<C> {
  config?: C
  variables?: Record<string, unknown>
  targets?: { accounts: string[]; regions: string[] }
  runInput?: unknown
  runId?: string
  flowId?: string
  node?: { id: string; type: string; label: string }
  signal?: AbortSignal
  now?: Date
  /** Stands in for the host's expression resolver. */
  resolve?: (value: unknown, item: Record<string, unknown>, variables: Record<string, unknown>) => unknown
  /** Answers `ctx.aws.call` as the host would. */
  aws?: (request: AwsCallRequest) => Promise<unknown>
}

export declare function createTestContext<C = Record<string, unknown>>(
  options?: TestContextOptions<C>
): {
  ctx: PluginContext<C>
  logs: { level: string; message: string; data?: unknown }[]
  partials: { reason: string; details?: unknown }[]
}
