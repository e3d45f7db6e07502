import type { ZodType, z } from 'zod'
import type { NodeContext, NodeManifest, PortItems } from '../../core/plugin/types.ts'

export type { Item, LogLevel, PortItems, PortSpec, RunTargets } from '../../core/plugin/types.ts'

export declare const API_VERSION: 1

/** A JSON Schema object describing the node's config (the editor builds its form from it). */
export type JsonSchema = {
  type: 'object'
  properties?: Record<string, unknown>
  required?: string[]
} & Record<string, unknown>

/** A node-type manifest as an author writes it: `category` and `source` are set by the host. */
export type CommunityManifest = Omit<
  NodeManifest,
  'category' | 'source' | 'icon' | 'color' | 'description' | 'inputs' | 'outputs'
> &
  Partial<Pick<NodeManifest, 'icon' | 'color' | 'description' | 'inputs' | 'outputs'>>

/** What `ctx.aws.call` takes: the host performs the call with the account's credentials. */
export interface AwsCallRequest {
  /** SDK service id: "rds", "ec2" or "sts". */
  service: string
  /** API operation, e.g. "DescribeDBInstances"; `service:operation` must be in `manifest.permissions`. */
  operation: string
  input?: Record<string, unknown>
  /** One of the run's accounts; may be left out when the run targets exactly one. */
  account?: string
  /** One of the run's regions; may be left out when the run targets exactly one. */
  region?: string
}

/** The context a community node executes with: the built-ins' NodeContext, with AWS by request. */
export interface PluginContext<C = Record<string, unknown>> extends Omit<NodeContext<C>, 'services'> {
  /** Host objects do not cross into the sandbox. */
  services: Record<string, never>
  aws: { call<T = Record<string, unknown>>(request: AwsCallRequest): Promise<T> }
}

/** A community node type: the same manifest / config / execute contract the built-ins implement. */
export interface CommunityNodeType<C = Record<string, unknown>> {
  manifest: CommunityManifest
  /** A zod schema (zod is provided by the host) or a JSON Schema object; absent means no config. */
  config?: ZodType<C> | JsonSchema
  execute(ctx: PluginContext<C>, input: PortItems): Promise<PortItems>
}

export declare function defineNodeType<S extends ZodType<Record<string, unknown>>>(
  nodeType: Omit<CommunityNodeType<z.output<S>>, 'config'> & { config: S }
): CommunityNodeType<z.output<S>>
export declare function defineNodeType<C = Record<string, unknown>>(
  nodeType: CommunityNodeType<C>
): CommunityNodeType<C>
