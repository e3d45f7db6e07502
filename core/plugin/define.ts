import type { z } from 'zod'
import type { NodePlugin } from './types.ts'

/**
 * Define a node type with its config type inferred from the schema. It returns the object as is;
 * it exists so authors get completion and type errors, not for anything it does at run time.
 *
 * @example
 * export default defineNodeType({
 *   manifest: { type: 'notify', version: 1, title: 'Notify', ... },
 *   config: z.object({ url: z.string().url() }),
 *   async execute(ctx, input) { return { out: input.in ?? [] } },
 * })
 */
export function defineNodeType<S extends z.ZodType<Record<string, unknown>>>(
  plugin: Omit<NodePlugin<z.infer<S>>, 'config'> & { config: S }
): NodePlugin<z.infer<S>> {
  return plugin as unknown as NodePlugin<z.infer<S>>
}
