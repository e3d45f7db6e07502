import { messageOf } from './describe-error.mjs'

/**
 * A node's output leaves the worker as JSON. `JSON.stringify` alone would quietly change it (a Map
 * becomes `{}`, a function disappears, NaN becomes null) or throw a message that names nothing
 * (a BigInt, a cycle), so the output is walked first and the first value JSON cannot carry is named
 * with its port, item index and path. Then it is written once, and its size checked.
 */

export const OUTPUT_INVALID = 'PLUGIN_OUTPUT_INVALID'
export const OUTPUT_TOO_LARGE = 'PLUGIN_OUTPUT_TOO_LARGE'

function outputError(code, message) {
  const err = new Error(message)
  err.code = code
  return err
}

/** Why `value` is not JSON, or undefined. `ancestors` holds the objects on the way to it. */
function problemOf(value, at, ancestors) {
  const path = at || 'it'
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return undefined
    case 'number':
      return Number.isFinite(value) ? undefined : `${path} is ${value}, which JSON cannot hold`
    case 'bigint':
      return `${path} is a BigInt`
    case 'symbol':
      return `${path} is a Symbol`
    case 'function':
      return `${path} is a function`
  }
  if (value === null) return undefined
  if (ancestors.has(value)) return `${path} refers back to an object that contains it (a cycle)`
  if (value instanceof Map || value instanceof Set || value instanceof WeakMap || value instanceof WeakSet) {
    return `${path} is a ${value.constructor.name}; use a plain object or an array`
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    return `${path} is binary data; encode it (base64) as a string`
  }
  if (value instanceof Promise) return `${path} is a Promise (a missing await?)`
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? `${path} is an invalid Date` : undefined
  ancestors.add(value)
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const problem = problemOf(value[i], `${at}[${i}]`, ancestors)
        if (problem) return problem
      }
      return undefined
    }
    // Other objects that say how they are written (URL, a class with toJSON) are trusted to.
    if (typeof value.toJSON === 'function') return undefined
    for (const key of Object.keys(value)) {
      const problem = problemOf(value[key], `${at}.${key}`, ancestors)
      if (problem) return problem
    }
    return undefined
  } finally {
    ancestors.delete(value)
  }
}

/** Where in the output a problem is: `port "out", item 3`. */
function problemInOutput(output) {
  if (output === null || typeof output !== 'object' || Array.isArray(output)) return undefined
  for (const port of Object.keys(output)) {
    const items = output[port]
    if (!Array.isArray(items)) continue // the host says what is wrong with the shape
    for (let i = 0; i < items.length; i++) {
      let problem
      try {
        problem = problemOf(items[i], '', new Set())
      } catch (err) {
        problem =
          err instanceof RangeError ? 'it is nested too deeply' : `reading it threw: ${messageOf(err)}`
      }
      if (problem) return `port "${port}", item ${i}: ${problem}`
    }
  }
  return undefined
}

/**
 * The output as JSON text, at most `limitBytes` long; throws PLUGIN_OUTPUT_INVALID naming the first
 * value JSON cannot carry, or PLUGIN_OUTPUT_TOO_LARGE.
 */
export function outputJson(output, limitBytes) {
  const problem = problemInOutput(output)
  if (problem) throw outputError(OUTPUT_INVALID, `its output is not JSON: ${problem}`)
  let json
  try {
    json = JSON.stringify(output)
  } catch (err) {
    throw outputError(OUTPUT_INVALID, `its output is not JSON: ${messageOf(err)}`)
  }
  const bytes = Buffer.byteLength(json, 'utf8')
  if (bytes > limitBytes) {
    const mb = (bytes / 1048576).toFixed(1)
    throw outputError(
      OUTPUT_TOO_LARGE,
      `its output is ${mb} MB of JSON, over the limit of ${limitBytes / 1048576} MB (QFLOW_PLUGIN_OUTPUT_MB)`
    )
  }
  return json
}
