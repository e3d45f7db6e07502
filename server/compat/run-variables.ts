import { z } from 'zod'
import { variableName } from '../../core/flow/schema.ts'
import { kindOf } from '../../core/zod-messages.ts'
import { variableOverrides } from '../http/variable-overrides.ts'
import { parseInput, validationFailed } from '../parse-input.ts'

/** Variables the public API treats as run settings rather than flow variables. */
export const SYSTEM_VARIABLES = {
  connectorId: 'accounts',
  credentials: 'accounts',
  region: 'regions',
} as const
type SystemVariable = keyof typeof SYSTEM_VARIABLES
const isSystem = (name: string): name is SystemVariable => Object.hasOwn(SYSTEM_VARIABLES, name)

/**
 * One entry of the list form, as the public API's run request record holds its
 * `overrideVariables`: `{key, value, type}`. `name` is taken for `key`, as scripts also write it;
 * `type` (`user-defined`, `system`, ...) is accepted and ignored, because the flow's own declaration
 * decides how a value is read.
 */
const entry = z
  .strictObject({
    key: variableName.optional(),
    name: variableName.optional(),
    value: z.unknown(),
    type: z.string().max(64).optional(),
  })
  .superRefine((sent, ctx) => {
    if (sent.key === undefined && sent.name === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['key'],
        message: 'required (the variable name; name is taken too)',
      })
    } else if (sent.key !== undefined && sent.name !== undefined && sent.key !== sent.name) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'differs from key; send one of them' })
    }
    if (!('value' in sent)) ctx.addIssue({ code: 'custom', path: ['value'], message: 'required' })
  })
const asList = z.object({ variables: z.array(entry).max(200) })
const asObject = z.object({ variables: variableOverrides })

/**
 * The run request's `variables` in either shape the public API is written with: an object by name
 * (`{"region": "eu-west-1"}`) or a list of entries (`[{"key": "region", "value": "eu-west-1"}]`), the
 * shape its answers use. From a list, repeated `connectorId` / `region` / `credentials` entries join
 * into one list, since an answer's `overrideVariables` holds one entry per account and region and
 * may be sent back as it is; any other name given twice is refused, as one of the values would be
 * lost.
 */
export function variablesOf(sent: unknown): Record<string, unknown> | undefined {
  if (sent === undefined) return undefined
  if (Array.isArray(sent)) return fromEntries(parseInput(asList, { variables: sent }).variables)
  if (typeof sent !== 'object' || sent === null) {
    throw validationFailed([
      {
        field: 'variables',
        message: `expected an object by name or a list of {key, value} entries, got ${kindOf(sent)}`,
      },
    ])
  }
  return parseInput(asObject, { variables: sent }).variables
}

function fromEntries(entries: z.infer<typeof entry>[]): Record<string, unknown> {
  const variables = new Map<string, unknown>()
  const firstAt = new Map<string, number>()
  entries.forEach((sent, index) => {
    const name = (sent.key ?? sent.name)!
    if (isSystem(name)) {
      const values = systemVariableValues(`variables.${index}.value`, name, sent.value)
      variables.set(name, [...((variables.get(name) as string[] | undefined) ?? []), ...values])
      return
    }
    const earlier = firstAt.get(name)
    if (earlier !== undefined) {
      throw validationFailed([
        {
          field: `variables.${index}.key`,
          message: `"${name}" is given twice (also at variables.${earlier})`,
        },
      ])
    }
    firstAt.set(name, index)
    variables.set(name, sent.value)
  })
  // Names passed the variable name rule, so none is `__proto__`: a plain object holds them safely.
  return Object.fromEntries(variables)
}

/**
 * A system variable's value as a list of names: one name or a list of them, each a string (a number
 * is taken as its digits). Anything else would become "null" or "[object Object]" and fail later
 * with a message about a value the caller never sent.
 */
function systemVariableValues(field: string, name: SystemVariable, value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value]
  const index = values.findIndex(
    (item) =>
      !((typeof item === 'string' && item.length > 0 && item.length <= 128) || Number.isSafeInteger(item))
  )
  if (index < 0 && values.length > 0) return values.map(String)
  const what = name === 'region' ? 'a region name' : 'an account id'
  throw validationFailed([
    {
      field: Array.isArray(value) && index >= 0 ? `${field}.${index}` : field,
      message: `expected ${what} or a list of them`,
    },
  ])
}

/**
 * The flow variables and the run's targets: `connectorId` (or the older `credentials`, which
 * `connectorId` overrides when both are sent, as in the public API) names accounts and `region`
 * names regions. `accountsFrom` is the variable that carried the accounts, to name it in errors.
 */
export function runSettingsOf(sent: Record<string, unknown> = {}) {
  const variables: Record<string, unknown> = {}
  const targets: { accounts?: string[]; regions?: string[] } = {}
  const accountsFrom = Object.hasOwn(sent, 'connectorId') ? 'connectorId' : 'credentials'
  for (const [name, value] of Object.entries(sent)) {
    if (!isSystem(name)) variables[name] = value
    else if (SYSTEM_VARIABLES[name] === 'regions') {
      targets.regions = systemVariableValues(`variables.${name}`, name, value)
    } else if (name === accountsFrom) {
      targets.accounts = systemVariableValues(`variables.${name}`, name, value)
    }
  }
  return { variables, targets, accountsFrom: `variables.${accountsFrom}` }
}
