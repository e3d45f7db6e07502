import { z } from 'zod'
import { isExpression } from '../../core/flow/expressions.ts'

/**
 * The request parameters a catalogue entry accepts, as data. A handful of value kinds covers the
 * describe and action calls we list; each maps to the SDK's input shape for that member.
 */
export type ParamKind =
  | 'string'
  | 'strings'
  | 'integer'
  | 'boolean'
  /** EC2/RDS `Filters: [{Name, Values}]`. */
  | 'filters'
  /** `Tags: [{Key, Value}]`. */
  | 'tags'
  /** EC2 `IpPermissions` as DescribeSecurityGroups returns them. */
  | 'ipPermissions'
export type ParamSpec = Record<string, ParamKind>

const filters = z
  .array(z.object({ Name: z.string().min(1), Values: z.array(z.string()).min(1) }).strict())
  .max(50)
const tags = z
  .array(z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256) }).strict())
  .max(50)
const ipRange = z.object({ CidrIp: z.string(), Description: z.string().optional() }).loose()
const ipv6Range = z.object({ CidrIpv6: z.string(), Description: z.string().optional() }).loose()
const ipPermissions = z.array(
  z
    .object({
      IpProtocol: z.string(),
      FromPort: z.number().int().optional(),
      ToPort: z.number().int().optional(),
      IpRanges: z.array(ipRange).optional(),
      Ipv6Ranges: z.array(ipv6Range).optional(),
      PrefixListIds: z.array(z.object({ PrefixListId: z.string() }).loose()).optional(),
      UserIdGroupPairs: z.array(z.object({}).loose()).optional(),
    })
    .loose()
)

const kinds: Record<ParamKind, z.ZodType> = {
  string: z.string().min(1),
  strings: z.array(z.string().min(1)).min(1),
  integer: z.number().int(),
  boolean: z.boolean(),
  filters,
  tags,
  ipPermissions,
}

/** What each kind takes, in words, for a value that is neither that nor an expression. */
const EXPECTED: Record<ParamKind, string> = {
  string: 'a non-empty string',
  strings: 'a list of strings',
  integer: 'a whole number',
  boolean: 'a boolean (true or false)',
  filters: 'a list of filters [{"Name", "Values": [...]}]',
  tags: 'a list of tags [{"Key", "Value"}]',
  ipPermissions: 'a list of IpPermissions',
}

/**
 * A value of `kind` (with `expressions`, or an expression standing for one). A value of the wrong
 * type gets one message saying what the parameter takes, and the expressions it may use (`"yes"`
 * for a boolean is not "expected an expression"); a value of the right type with a bad part keeps
 * that part's path and message.
 */
function paramValue(kind: ParamKind, expressions: boolean): z.ZodType {
  const base = kinds[kind]
  const or = expressions ? ', or an expression like obj.<path> or $wf.variables.<name>' : ''
  return z.unknown().superRefine((value, ctx) => {
    if (expressions && typeof value === 'string' && isExpression(value)) return
    const parsed = base.safeParse(value)
    if (parsed.success) return
    const nested = parsed.error.issues.filter((issue) => issue.path.length > 0)
    if (nested.length > 0 && nested.length === parsed.error.issues.length) {
      for (const issue of nested)
        ctx.addIssue({ code: 'custom', path: issue.path.map(String), message: issue.message })
      return
    }
    ctx.addIssue({
      code: 'custom',
      message: `expected ${EXPECTED[kind]}${or}`,
    })
  })
}

/**
 * A strict zod object for the parameters: unknown names are refused with the list of names the
 * call accepts. With `expressions`, any value may instead be an `obj.`/`$wf.variables.` expression,
 * checked again once it is resolved against an item.
 */
export function paramsSchema(spec: ParamSpec, options: { expressions?: boolean; call?: string } = {}) {
  const shape: Record<string, z.ZodType> = {}
  for (const [name, kind] of Object.entries(spec)) {
    shape[name] = paramValue(kind, options.expressions ?? false).optional()
  }
  const accepted = Object.keys(spec).join(', ') || 'none'
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `${options.call ?? 'this call'} does not accept ${issue.keys.join(', ')}; it accepts: ${accepted}`
        : undefined,
  })
}

/** Validate resolved parameters; returns a message naming each bad field, or the clean params. */
export function checkParams(
  spec: ParamSpec,
  params: Record<string, unknown>,
  call: string
): { ok: true; params: Record<string, unknown> } | { ok: false; message: string } {
  const parsed = paramsSchema(spec, { call }).safeParse(params)
  if (parsed.success) return { ok: true, params: parsed.data as Record<string, unknown> }
  const message = parsed.error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ')
  return { ok: false, message }
}
