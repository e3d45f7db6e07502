/**
 * Module resolution for community plugin code, run on Node's loader thread. Plugins are edge-style
 * modules: Node built-ins are refused (that closes `node:fs`, `node:net`, `node:child_process` and
 * friends at the door, before the permission model is even asked), imports may not leave the
 * plugin's own folder, and the two host-provided packages (`qflow/plugin` and `zod`) resolve to the
 * host's copies so a plugin's zod schemas are the same zod the worker converts to JSON Schema.
 */
import { builtinModules } from 'node:module'

const BUILTINS = new Set(builtinModules)
/** @type {{ pluginDir: string, runtimeDir: string, provided: Record<string, string>, zodDir: string }} */
let scope

export function initialize(data) {
  scope = data
}

function isBuiltin(specifier) {
  return specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0])
}

function denied(message) {
  const err = new Error(message)
  err.code = 'ERR_QFLOW_IMPORT_DENIED'
  return err
}

export async function resolve(specifier, context, next) {
  const fromPlugin = context.parentURL?.startsWith(scope.pluginDir)
  if (isBuiltin(specifier)) {
    throw denied(
      `community plugins may not import Node built-in "${specifier}"; use Web APIs (fetch, URL, crypto.subtle) and ctx`
    )
  }
  const provided = scope.provided[specifier]
  if (provided) return { url: provided, shortCircuit: true }
  if (specifier === 'zod' || specifier.startsWith('zod/')) {
    return next(specifier, { ...context, parentURL: scope.provided.zod })
  }
  const resolved = await next(specifier, context)
  const url = resolved.url
  const allowed =
    url.startsWith('data:') ||
    url.startsWith(scope.pluginDir) ||
    url.startsWith(scope.runtimeDir) ||
    url.startsWith(scope.zodDir) ||
    Object.values(scope.provided).includes(url)
  if (!allowed) {
    throw denied(
      `${fromPlugin ? 'the plugin' : 'a module'} may only import files inside its own folder; "${specifier}" resolves to ${url}`
    )
  }
  return resolved
}
