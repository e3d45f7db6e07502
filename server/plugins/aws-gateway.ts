import { z } from 'zod'
import { NodeExecutionError } from '../../core/errors.ts'
import type { NodeContext, NodeManifest } from '../../core/plugin/types.ts'
import { describeIssue } from '../../core/zod-messages.ts'

/** What a community plugin asks for with `ctx.aws.call(...)`: plain data, no clients, no credentials. */
export const awsCallRequestSchema = z.object({
  service: z.string().regex(/^[a-z0-9-]+$/, 'service is an SDK service id like "rds" or "ec2"'),
  operation: z.string().regex(/^[A-Z][A-Za-z0-9]+$/, 'operation is an API name like "DescribeDBInstances"'),
  input: z.record(z.string(), z.unknown()).default({}),
  account: z.string().min(1).optional(),
  region: z.string().min(1).optional(),
})
export type AwsCallRequest = z.input<typeof awsCallRequestSchema>

/** A checked call, with the account and region settled. */
export interface AwsCall {
  service: string
  operation: string
  input: Record<string, unknown>
  account: string
  region: string
}

/**
 * Performs a checked call with the account's credentials, in the host. The server wires it to its
 * AWS client factory (see `sdkAwsExecutor`); the plugin only ever sees the JSON result.
 */
export type AwsExecutor = (call: AwsCall, ctx: NodeContext) => Promise<unknown>

/** `rds:DescribeDBInstances` matched by `rds:DescribeDBInstances`, `rds:Describe*` or `rds:*`. */
function permitted(action: string, permissions: string[]): boolean {
  return permissions.some((permission) => {
    const [service, op] = permission.toLowerCase().split(':')
    const [wantService, wantOp] = action.toLowerCase().split(':')
    if (service !== wantService || op === undefined) return false
    return op.endsWith('*') ? wantOp!.startsWith(op.slice(0, -1)) : op === wantOp
  })
}

/**
 * Check a plugin's AWS request against what its node declared and what the run targets: the IAM
 * action must be among the manifest's `permissions`, the account and region among the run's.
 */
export function checkAwsCall(request: unknown, manifest: NodeManifest, ctx: NodeContext): AwsCall {
  const parsed = awsCallRequestSchema.safeParse(request, { error: describeIssue })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new NodeExecutionError(`ctx.aws.call: ${issue.path.join('.') || 'request'}: ${issue.message}`)
  }
  const { service, operation, input } = parsed.data
  const action = `${service}:${operation}`
  if (!permitted(action, manifest.permissions ?? [])) {
    throw new NodeExecutionError(
      `ctx.aws.call: ${action} is not among the permissions node type "${manifest.type}" declares (${(manifest.permissions ?? []).join(', ') || 'none'})`,
      false,
      undefined,
      'PLUGIN_DENIED'
    )
  }
  const account = pick('account', parsed.data.account, ctx.targets.accounts)
  const region = pick('region', parsed.data.region, ctx.targets.regions)
  return { service, operation, input, account, region }
}

function pick(field: 'account' | 'region', asked: string | undefined, targets: string[]): string {
  if (asked !== undefined) {
    if (!targets.includes(asked)) {
      throw new NodeExecutionError(
        `ctx.aws.call: ${field} "${asked}" is not one this run targets (${targets.join(', ') || 'none'})`,
        false,
        undefined,
        'PLUGIN_DENIED'
      )
    }
    return asked
  }
  if (targets.length === 1) return targets[0]!
  throw new NodeExecutionError(
    `ctx.aws.call: name the ${field}; this run targets ${targets.length === 0 ? 'none' : targets.join(', ')}`
  )
}

/** An SDK client as far as the gateway needs one. */
export interface SendingClient {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>
}

const SDK_PACKAGES: Record<string, () => Promise<Record<string, unknown>>> = {
  rds: () => import('@aws-sdk/client-rds'),
  ec2: () => import('@aws-sdk/client-ec2'),
  sts: () => import('@aws-sdk/client-sts'),
}

/**
 * The executor over real SDK clients: `clientFor` hands out the host's client for an account,
 * region and service (credentials, endpoint override, retry and throttling included); the command
 * class is found by operation name. The reply is plain JSON without the SDK's `$metadata`.
 */
export function sdkAwsExecutor(
  clientFor: (
    service: string,
    account: string,
    region: string,
    ctx: NodeContext
  ) => SendingClient | Promise<SendingClient>
): AwsExecutor {
  return async (call, ctx) => {
    const load = SDK_PACKAGES[call.service]
    if (!load) {
      throw new NodeExecutionError(
        `ctx.aws.call: service "${call.service}" is not available to plugins (available: ${Object.keys(SDK_PACKAGES).join(', ')})`
      )
    }
    const Command = (await load())[`${call.operation}Command`] as
      | (new (
          input: unknown
        ) => unknown)
      | undefined
    if (typeof Command !== 'function') {
      throw new NodeExecutionError(`ctx.aws.call: ${call.service} has no operation "${call.operation}"`)
    }
    const client = await clientFor(call.service, call.account, call.region, ctx)
    const { $metadata: _, ...result } = (await client.send(new Command(call.input), {
      abortSignal: ctx.signal,
    })) as Record<string, unknown>
    return JSON.parse(JSON.stringify(result))
  }
}
