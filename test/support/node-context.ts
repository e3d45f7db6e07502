/**
 * Runs one node plugin directly, the way the engine does for a single step: config through the
 * plugin's schema, a real AbortSignal, logs captured. For tests that judge a node's own output.
 */
import type { Item, LogLevel, NodeContext, NodePlugin, PortItems } from '../../core/plugin/types.ts'

export interface NodeRun {
  output: PortItems
  logs: { level: LogLevel; message: string }[]
}

export async function runPlugin(
  plugin: NodePlugin,
  config: Record<string, unknown>,
  items: Item[],
  options: { now?: Date; signal?: AbortSignal } = {}
): Promise<NodeRun> {
  const parsed = plugin.config.parse(config)
  const logs: NodeRun['logs'] = []
  const now = options.now ?? new Date('2026-01-15T12:00:00Z')
  const ctx: NodeContext = {
    runId: 'run-test',
    flowId: 'flow-test',
    node: { id: 'n1', type: plugin.manifest.type, label: plugin.manifest.title },
    config: parsed,
    variables: {},
    targets: { accounts: [], regions: [] },
    runInput: undefined,
    signal: options.signal ?? new AbortController().signal,
    log: (level, message) => logs.push({ level, message }),
    partial: () => {},
    resolve: (value) => value,
    now: () => now,
    services: {},
  }
  const output = await plugin.execute(ctx, { in: items })
  return { output, logs }
}
