import { getPath } from '../path.ts'
import type { Item } from '../plugin/types.ts'

/**
 * Expressions in node config, as the product writes them:
 * - a string that is exactly `obj.<path>` reads the current item (`obj.DBInstanceIdentifier`);
 * - a string that is exactly `$wf.variables.<name>` reads a flow variable (the product's own
 *   spelling `$wf.variables: <name>` is accepted too);
 * - inside a longer string, `{{ obj.<path> }}` and `{{ $wf.variables.<name> }}` are interpolated.
 * A whole-string expression keeps the value's type (a number stays a number). Nothing is evaluated
 * as code. A literal string that looks like an expression can be written with a leading `\`.
 */
const WHOLE_ITEM = /^obj\.(.+)$/
const WHOLE_VARIABLE = /^\$wf\.variables(?:\.|:\s*)([A-Za-z_][A-Za-z0-9_]*)$/
const TEMPLATE = /\{\{\s*(obj\.[^}]+?|\$wf\.variables(?:\.|:\s*)[A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g
const HAS_TEMPLATE = new RegExp(TEMPLATE.source)

export interface ExpressionScope {
  variables: Readonly<Record<string, unknown>>
  /** The current item; absent when resolving config before any item exists. */
  item?: Item
}

export function isExpression(text: string): boolean {
  return WHOLE_ITEM.test(text) || WHOLE_VARIABLE.test(text) || HAS_TEMPLATE.test(text)
}

function resolveOne(expression: string, scope: ExpressionScope): { found: boolean; value?: unknown } {
  const variable = WHOLE_VARIABLE.exec(expression)
  if (variable) {
    const name = variable[1]!
    return Object.hasOwn(scope.variables, name)
      ? { found: true, value: scope.variables[name] }
      : { found: false }
  }
  const item = WHOLE_ITEM.exec(expression)
  if (item && scope.item) return { found: true, value: getPath(scope.item, item[1]!) }
  return { found: false }
}

function resolveString(text: string, scope: ExpressionScope): unknown {
  if (text.startsWith('\\')) return text.slice(1)
  if (WHOLE_ITEM.test(text) || WHOLE_VARIABLE.test(text)) {
    const { found, value } = resolveOne(text, scope)
    return found ? value : text
  }
  if (!text.includes('{{')) return text
  return text.replace(TEMPLATE, (whole, expression: string) => {
    const { found, value } = resolveOne(expression, scope)
    if (!found) return whole
    if (value === undefined || value === null) return ''
    return typeof value === 'object' ? JSON.stringify(value) : String(value)
  })
}

/**
 * Resolve every expression in a JSON value. Expressions whose scope is missing (an `obj.` path
 * before there is an item) are left as written, so config can be resolved in two passes: variables
 * when the node starts, items one at a time while it runs.
 */
export function resolveExpressions<T>(value: T, scope: ExpressionScope): unknown {
  if (typeof value === 'string') return resolveString(value, scope)
  if (Array.isArray(value)) return value.map((element) => resolveExpressions(element, scope))
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [key, element] of Object.entries(value)) out[key] = resolveExpressions(element, scope)
    return out
  }
  return value
}
