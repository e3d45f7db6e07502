import { z } from 'zod'
import { CONTROL_CHARACTER, CONTROL_CHARACTER_BUT_LINES } from './text-rules.ts'
import { coerceVariable, variableNameProblem } from './variable-types.ts'

/**
 * The flow document. It is both what the API stores and the import/export file format, so field
 * names are part of the public contract: add optional fields, never rename.
 */
export const FLOW_SCHEMA_VERSION = 1

/**
 * New flow ids: safe in a URL path segment (/api/flows/:id),
 * a file name and an expression, with no space to hide at either end.
 */
export const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
export const SAFE_ID_RULE = 'letters, digits, ".", "_" and "-", starting with a letter or digit, at most 128'

/** A flow id as stored: ids older than SAFE_ID are kept, so the flow they name can still be saved. */
const flowId = z.string().min(1).max(128)

/**
 * Node and edge ids refuse what does harm, not everything outside SAFE_ID: flows saved before ids
 * were checked hold names like "fetch rds", and the editor cannot rename a node, so a stricter
 * rule would leave such a flow impossible to save. Refused: control characters, a path or query
 * delimiter (/ \ ? # %), a space at either end, and "." or ".." (a path step once decoded).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const UNSAFE_IN_ID = /[\u0000-\u001f\u007f-\u009f/\\?#%]/
export const ELEMENT_ID_RULE =
  'any text but control characters and / \\ ? # %, with no space at either end, at most 128 (e.g. fetch-rds)'
const elementId = z
  .string()
  .min(1, `an id is ${ELEMENT_ID_RULE}`)
  .max(128, `an id is ${ELEMENT_ID_RULE}`)
  .refine(
    (id) => !UNSAFE_IN_ID.test(id) && id.trim() === id && id !== '.' && id !== '..',
    `an id is ${ELEMENT_ID_RULE}`
  )

/**
 * Text shown on one line (a label, a category): a NUL cuts it short in listings and search, and
 * an escape sequence repaints a terminal that prints it.
 */
const oneLine = (max: number) =>
  z
    .string()
    .max(max)
    .refine((text) => !CONTROL_CHARACTER.test(text), 'cannot contain control characters')

export const VARIABLE_TYPES = ['string', 'number', 'boolean', 'list', 'json'] as const
export type VariableType = (typeof VARIABLE_TYPES)[number]

// The name rule lives beside the value rule, without zod, so the editor checks names as the server does.
export { RESERVED_VARIABLE_NAMES, variableNameProblem } from './variable-types.ts'

export const variableName = z.string().superRefine((name, ctx) => {
  const problem = variableNameProblem(name)
  if (problem) ctx.addIssue({ code: 'custom', message: problem })
})

export const variableSchema = z.strictObject({
  name: variableName,
  type: z.enum(VARIABLE_TYPES),
  value: z.unknown(),
  description: z.string().max(1000).optional(),
})
export type FlowVariable = z.infer<typeof variableSchema>

const VALUE_NOUNS: Record<VariableType, string> = {
  string: 'a string',
  number: 'a number (or its decimal text)',
  boolean: 'true or false',
  list: 'a list (or its JSON text)',
  json: 'any JSON value',
}

/**
 * What is wrong with a flow's variables: a name used twice, or a value (the default a run starts
 * from) not of the declared type by the rule run overrides follow. The schema refuses a flow with
 * any of these; validation reports them for flows stored before the schema did.
 */
export function variableIssues(
  variables: readonly Pick<FlowVariable, 'name' | 'type' | 'value'>[]
): { path: [number, 'name' | 'type' | 'value']; message: string }[] {
  const issues: { path: [number, 'name' | 'type' | 'value']; message: string }[] = []
  const seen = new Map<string, number>()
  variables.forEach((variable, index) => {
    const first = seen.get(variable.name)
    if (first !== undefined) {
      issues.push({
        path: [index, 'name'],
        message: `"${variable.name}" is already the name of variables.${first}`,
      })
    } else seen.set(variable.name, index)
    const noun = VALUE_NOUNS[variable.type] as string | undefined
    if (noun === undefined) {
      // Only a flow stored outside the schema gets here.
      issues.push({ path: [index, 'type'], message: `expected one of ${VARIABLE_TYPES.join(', ')}` })
      return
    }
    if (!coerceVariable(variable.type, variable.value).ok) {
      issues.push({ path: [index, 'value'], message: `expected ${noun} for a ${variable.type} variable` })
    }
  })
  return issues
}

/** A flow's variables: names unique and values of their declared types (see variableIssues). */
const variablesSchema = z
  .array(variableSchema)
  .max(200)
  .superRefine((variables, ctx) => {
    for (const issue of variableIssues(variables)) ctx.addIssue({ code: 'custom', ...issue })
  })

/**
 * A node's config: any keys but `__proto__`. Parsing copies the object, and in a copy that key sets
 * the prototype instead of adding a field, so it would vanish without a word.
 */
const nodeConfigSchema = z.preprocess(
  (config, ctx) => {
    if (typeof config === 'object' && config !== null && Object.hasOwn(config, '__proto__')) {
      ctx.addIssue({
        code: 'custom',
        path: ['__proto__'],
        input: config,
        message: 'not an allowed config key (it is JavaScript object machinery)',
      })
    }
    return config
  },
  z.record(z.string(), z.unknown())
)

// Strict objects throughout: a misspelt field (`varaibles`, `labell`) is refused naming it, where a
// lenient schema would drop it and the flow would quietly use the default instead.
export const positionSchema = z.strictObject({ x: z.number().finite(), y: z.number().finite() })

export const nodeSchema = z.strictObject({
  id: elementId,
  type: z.string().min(1).max(128),
  typeVersion: z.number().int().positive(),
  label: oneLine(200).default(''),
  config: nodeConfigSchema.default({}),
  position: positionSchema.default({ x: 0, y: 0 }),
  /** Per-node time limit in ms; the engine default applies when absent. */
  timeoutMs: z.number().int().positive().max(86_400_000).optional(),
  /**
   * The community plugin that provides `type`, recorded when the node is saved, so a flow opened
   * where that plugin is missing can say which one to install.
   */
  plugin: z
    .strictObject({ name: z.string().min(1).max(214), version: z.string().max(64).optional() })
    .optional(),
})
export type FlowNode = z.infer<typeof nodeSchema>

export const edgeSchema = z.strictObject({
  id: elementId,
  source: elementId,
  sourcePort: z.string().min(1).default('out'),
  target: elementId,
  targetPort: z.string().min(1).default('in'),
})
export type FlowEdge = z.infer<typeof edgeSchema>

export const flowSchema = z.strictObject({
  schemaVersion: z.literal(FLOW_SCHEMA_VERSION).default(FLOW_SCHEMA_VERSION),
  id: flowId.optional(),
  name: z
    .string()
    .trim()
    .min(1, 'a flow needs a name')
    .max(200)
    // A NUL cuts the name short in listings and search; tabs and line breaks break a one-line view.
    .refine((name) => !CONTROL_CHARACTER.test(name), 'a flow name cannot contain control characters'),
  description: z
    .string()
    .max(5000)
    .refine(
      (text) => !CONTROL_CHARACTER_BUT_LINES.test(text),
      'cannot contain control characters (but tabs and line breaks)'
    )
    .default(''),
  categories: z.array(oneLine(64).min(1)).max(20).default([]),
  variables: variablesSchema.default([]),
  accounts: z.array(z.string().min(1).max(128)).max(500).default([]),
  regions: z.array(z.string().min(1).max(64)).max(64).default([]),
  deployed: z.boolean().default(false),
  nodes: z.array(nodeSchema).max(2000).default([]),
  edges: z.array(edgeSchema).max(5000).default([]),
})

/** A flow as written by a client (defaults not yet applied). */
export type FlowInput = z.input<typeof flowSchema>
/** A flow after parsing: every default filled in. */
export type Flow = z.infer<typeof flowSchema>
