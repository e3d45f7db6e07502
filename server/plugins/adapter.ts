import { z } from 'zod'
import { NodeExecutionError } from '../../core/errors.ts'
import type { NodeManifest, NodePlugin, PortItems } from '../../core/plugin/types.ts'
import { type AwsExecutor, checkAwsCall } from './aws-gateway.ts'
import type { PluginPool } from './pool.ts'

const port = z.object({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'a port name is letters, digits, _ and -'),
  label: z.string().max(100).optional(),
  description: z.string().max(1000).optional(),
})

/** What a community node type may declare. `category` and `source` are the host's to set. */
export const communityManifestSchema = z.object({
  type: z
    .string()
    .regex(
      /^[a-z][a-z0-9-]*(\/[a-z][a-z0-9-]*)?$/,
      'type is lower-case letters, digits and -, e.g. "notify"'
    ),
  version: z.number().int().positive(),
  title: z.string().min(1).max(100),
  description: z.string().max(2000).default(''),
  icon: z.string().max(40).default('puzzle'),
  color: z.string().max(40).default('#64748b'),
  inputs: z
    .array(port)
    .max(20)
    .default([{ name: 'in' }]),
  outputs: z
    .array(port)
    .max(20)
    .default([{ name: 'out' }]),
  permissions: z
    .array(z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9*]+$/))
    .max(100)
    .optional(),
  widgets: z.record(z.string(), z.string()).optional(),
  timeoutMs: z.number().int().positive().optional(),
})

export interface AdapterOptions {
  pluginName: string
  pluginVersion: string
  manifest: z.infer<typeof communityManifestSchema>
  configSchema: unknown
  pool: PluginPool
  /** The operator's ceiling for one call; a manifest may ask for less, never more. */
  maxTimeoutMs: number
  aws?: AwsExecutor
}

/**
 * The in-process face of a community node type: a NodePlugin like any built-in, whose `execute`
 * sends the call to the plugin's worker pool. The config is validated here from the JSON Schema the
 * plugin declared, so the editor and `validateFlow` treat it as any other node.
 */
export function communityNodeType(options: AdapterOptions): NodePlugin {
  const manifest: NodeManifest = {
    ...options.manifest,
    category: 'community',
    timeoutMs: Math.min(options.manifest.timeoutMs ?? options.maxTimeoutMs, options.maxTimeoutMs),
    source: { kind: 'community', plugin: options.pluginName, pluginVersion: options.pluginVersion },
  }
  const config = z.fromJSONSchema(options.configSchema as Parameters<typeof z.fromJSONSchema>[0])
  const outputs = new Set(manifest.outputs.map((p) => p.name))
  return {
    manifest,
    config,
    async execute(ctx, input) {
      const output = await options.pool.call(
        manifest.type,
        {
          runId: ctx.runId,
          flowId: ctx.flowId,
          node: ctx.node,
          config: ctx.config,
          variables: ctx.variables,
          targets: ctx.targets,
          runInput: ctx.runInput,
        },
        input,
        {
          log: (level, message, data) => ctx.log(level as 'info', message, data),
          partial: (reason, details) => ctx.partial(reason, details),
          aws: async (request) => {
            if (!options.aws)
              throw new NodeExecutionError('ctx.aws.call: AWS access is not configured on this host')
            return options.aws(checkAwsCall(request, manifest, ctx), ctx)
          },
        },
        ctx.signal
      )
      return checkOutput(output, outputs, options.pluginName)
    },
  }
}

/** A plugin's output is still untrusted data: ports it declared, each a list of plain objects. */
function checkOutput(output: unknown, ports: Set<string>, pluginName: string): PortItems {
  if (!output || typeof output !== 'object' || Array.isArray(output)) {
    throw new NodeExecutionError(`plugin "${pluginName}" returned ${typeof output}, not items by port`)
  }
  for (const [name, items] of Object.entries(output)) {
    if (!ports.has(name)) {
      throw new NodeExecutionError(
        `plugin "${pluginName}" returned items on port "${name}", which its manifest does not declare`
      )
    }
    if (
      !Array.isArray(items) ||
      items.some((item) => !item || typeof item !== 'object' || Array.isArray(item))
    ) {
      throw new NodeExecutionError(`plugin "${pluginName}": port "${name}" must hold a list of objects`)
    }
  }
  return output as PortItems
}
