import type { VariableType } from './schema.ts'

/**
 * Names that are object machinery in JavaScript: as a key, `__proto__` replaces an object's
 * prototype instead of adding a field (and is dropped by every copy), and the other two shadow
 * what code expects to find there. Flows cannot declare them, so run requests cannot name them.
 */
export const RESERVED_VARIABLE_NAMES: readonly string[] = ['__proto__', 'constructor', 'prototype']

/** Why a name cannot be a variable's, or undefined when it can; flows and run overrides share it. */
export function variableNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    return 'a variable name is letters, digits and _ and starts with a letter or _'
  }
  if (RESERVED_VARIABLE_NAMES.includes(name)) {
    return `not an allowed variable name (${RESERVED_VARIABLE_NAMES.join(', ')} are reserved)`
  }
  return undefined
}

/**
 * Coerce a value to a variable's declared type. Text is accepted for every type because values
 * arrive from the command line (`--var n=5`) and from query strings as well as from JSON.
 */
export function coerceVariable(
  type: VariableType,
  value: unknown
): { ok: true; value: unknown } | { ok: false } {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? { ok: true, value } : { ok: false }
    case 'number': {
      const number = typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value
      return typeof number === 'number' && Number.isFinite(number)
        ? { ok: true, value: number }
        : { ok: false }
    }
    case 'boolean':
      if (typeof value === 'boolean') return { ok: true, value }
      if (value === 'true' || value === 'false') return { ok: true, value: value === 'true' }
      return { ok: false }
    case 'list': {
      const list = typeof value === 'string' ? parseJson(value) : value
      return Array.isArray(list) ? { ok: true, value: list } : { ok: false }
    }
    case 'json':
      return typeof value === 'string' ? jsonResult(value) : { ok: true, value }
  }
}

/**
 * A number's text: decimal only, with an optional sign, point and exponent, and nothing around it.
 * `Number()` alone also reads "0x10", "0b11", "0o7" and " 5 ", which nobody typing a number means,
 * and the run would then show one value and use another.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function jsonResult(text: string): { ok: true; value: unknown } {
  const parsed = parseJson(text)
  return { ok: true, value: parsed === undefined ? text : parsed }
}
