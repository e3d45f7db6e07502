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

const expression = z.string().refine(isExpression, 'expected an expression')

/**
 * A strict zod object for the parameters: unknown names are refused with the list of names the
 * call accepts. With `expressions`, any value may instead be an `obj.`/`$wf.variables.` expression,
 * checked again once it is resolved against an item.
 */
export function paramsSchema(spec: ParamSpec, options: { expressions?: boolean; call?: string } = {}) {
  const shape: Record<string, z.ZodType> = {}
  for (const [name, kind] of Object.entries(spec)) {
    const base = kinds[kind]
    shape[name] = (options.expressions ? z.union([base, expression]) : base).optional()
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
