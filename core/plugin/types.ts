import type { z } from 'zod'
import type { Flow } from '../flow/schema.ts'

/** What flows along an edge: plain JSON objects. */
export type Item = Record<string, unknown>
/** Items keyed by port name, e.g. `{ out: [...] }` or `{ passed: [...], failed: [...] }`. */
export type PortItems = Record<string, Item[]>

export const NODE_CATEGORIES = ['trigger', 'aws', 'general', 'community'] as const
export type NodeCategory = (typeof NODE_CATEGORIES)[number]

export interface PortSpec {
  /** Stable name used by edges. A node with one input names it `in`; one output, `out`. */
  name: string
  label?: string
  description?: string
}

/** Serialisable description of a node type: what `GET /api/node-types` sends, with the config schema. */
export interface NodeManifest {
  type: string
  /** Current type version. Saved nodes name the version they were written for. */
  version: number
  title: string
  description: string
  category: NodeCategory
  /** A short icon name the editor maps to a glyph (or an emoji / single character). */
  icon: string
  /** A CSS colour for the node's accent. */
  color: string
  inputs: PortSpec[]
  outputs: PortSpec[]
  /** IAM actions the node may need, given its configuration (see `permissionsFor`). */
  permissions?: string[]
  /** Named editor widgets for config fields, by dotted field path, e.g. `{ criteria: 'criteria-builder' }`. */
  widgets?: Record<string, string>
  /** Default time limit for one execution, in ms. */
  timeoutMs?: number
  /** Set by the loader, not the author: where the type comes from. */
  source?: { kind: 'builtin' | 'community'; plugin?: string; pluginVersion?: string }
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** The accounts and regions a run works on: the flow's binding, or the run's override. */
export interface RunTargets {
  accounts: string[]
  regions: string[]
}

/**
 * Host services handed to nodes. Core declares it empty; the layers that provide a service widen
 * it by declaration merging (`declare module '.../core/plugin/types.ts' { interface Services {...} }`),
 * so no AWS or database type leaks into core.
 */
// biome-ignore lint/suspicious/noEmptyInterface: widened by declaration merging
export interface Services {}

/** Everything a node may touch while it executes. */
export interface NodeContext<C = Record<string, unknown>> {
  runId: string
  flowId: string
  node: { id: string; type: string; label: string }
  /** Config after `$wf.variables` were substituted and the plugin schema applied. */
  config: C
  variables: Readonly<Record<string, unknown>>
  targets: RunTargets
  /** The run's input (what the caller or trigger passed). */
  runInput: unknown
  /** Aborted on cancellation or when the node's time limit passes. */
  signal: AbortSignal
  log(level: LogLevel, message: string, data?: unknown): void
  /** Mark the step as partially successful (e.g. one region failed) and say why. */
  partial(reason: string, details?: unknown): void
  /** Resolve `obj.<path>` / `$wf.variables.<name>` expressions in a value against one item. */
  resolve<T>(value: T, item: Item): unknown
  now(): Date
  services: Services
}

/** How a trigger asks for a run. */
export interface FireOptions {
  /**
   * Runs fired with the same key are one run. A schedule armed in several server processes keys
   * each fire by its instant, so the fire happens once however many processes armed it.
   */
  dedupeKey?: string
}

/** Given to a trigger while its flow is deployed. `fire` starts a run. */
export interface TriggerContext<C = Record<string, unknown>> {
  flowId: string
  node: { id: string; type: string; label: string }
  config: C
  fire(input?: unknown, options?: FireOptions): Promise<void>
  log(level: LogLevel, message: string, data?: unknown): void
  services: Services
}

export type Teardown = () => void | Promise<void>

/** The node-type contract, shared by built-in and community plugins. */
export interface NodePlugin<C = any> {
  manifest: NodeManifest
  /** Validates and defaults the node's config; sent to the editor as JSON Schema. */
  config: z.ZodType<C>
  execute(ctx: NodeContext<C>, input: PortItems): Promise<PortItems>
  /** Triggers only: arm the trigger for a deployed flow; the returned teardown disarms it. */
  activate?(ctx: TriggerContext<C>): Teardown | Promise<Teardown>
  /** IAM actions this particular config needs (defaults to `manifest.permissions`). */
  permissionsFor?(config: C): string[]
  /** Upgrade a config saved for an older `typeVersion` to the current one. */
  migrate?(config: Record<string, unknown>, fromVersion: number): Record<string, unknown>
  /** Extra whole-flow checks on this node, e.g. "the data key names an upstream node". */
  check?(config: C, flow: Flow, nodeId: string): ConfigProblem[]
}

export interface ConfigProblem {
  /** Dotted config path, e.g. `criteria.conditions.0.key`. */
  field: string
  message: string
}
