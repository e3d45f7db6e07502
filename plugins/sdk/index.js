/**
 * `qflow/plugin`: what a community plugin imports. Inside qflow's sandbox this module and `zod` are
 * provided by the host, so a plugin package needs neither as a runtime dependency.
 */

/** The plugin API version this module describes; put it in package.json as `qflow.apiVersion`. */
export const API_VERSION = 1

/**
 * Define a node type. It returns its argument unchanged: it exists for editor completion and type
 * checking (see index.d.ts), so plain objects work just as well.
 */
export function defineNodeType(nodeType) {
  return nodeType
}
