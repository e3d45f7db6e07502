import { FlowError } from '../errors.ts'
import { type FlowVariable, variableNameProblem } from './schema.ts'
import { coerceVariable } from './variable-types.ts'

/**
 * The variables a run sees: the flow's declared values with the run's overrides applied. An
 * override must be an allowed name, name a declared variable and fit its type.
 */
export function resolveVariables(
  declared: readonly FlowVariable[],
  overrides: Record<string, unknown> = {}
): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  for (const variable of declared) {
    const coerced = coerceVariable(variable.type, variable.value)
    values[variable.name] = coerced.ok ? coerced.value : variable.value
  }
  return Object.assign(values, overrideValues(declared, overrides))
}

/**
 * A run's overrides read as their variables' types (`"5"` for a number is 5), which is what a run
 * records, so it shows the values it used; throws VARIABLES_INVALID naming each one that is not.
 */
export function overrideValues(
  declared: readonly FlowVariable[],
  overrides: Record<string, unknown> = {}
): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  const types = new Map(declared.map((variable) => [variable.name, variable.type]))
  // `{field, message}` like every other input check's `details.issues`.
  const issues: { field: string; message: string }[] = []
  for (const [name, value] of Object.entries(overrides)) {
    const nameProblem = variableNameProblem(name)
    if (nameProblem) {
      issues.push({ field: `variables.${name}`, message: nameProblem })
      continue
    }
    const type = types.get(name)
    if (!type) {
      issues.push({ field: `variables.${name}`, message: `the flow declares no variable "${name}"` })
      continue
    }
    const coerced = coerceVariable(type, value)
    if (coerced.ok) values[name] = coerced.value
    else issues.push({ field: `variables.${name}`, message: `expected a ${type}` })
  }
  if (issues.length > 0) {
    const message = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ')
    throw new FlowError('VARIABLES_INVALID', message, { issues })
  }
  return values
}
