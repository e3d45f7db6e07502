import { NodeExecutionError } from '../../core/errors.ts'
import type { AwsServiceName } from './aws.ts'
import { getOrSet } from './maps.ts'

/**
 * Command classes and waiters looked up by operation name, so catalogues stay data: a catalogue
 * entry names `DescribeDBInstances` and this finds `DescribeDBInstancesCommand` in the service's
 * package. Only what the SDK exports can be named, so a typo fails loudly at load time.
 */
const loaders: Record<AwsServiceName, () => Promise<Record<string, unknown>>> = {
  // Loaded on first use: the EC2 package alone takes seconds to import, and a CLI command or a
  // flow without AWS nodes should not pay for it.
  rds: () => import('@aws-sdk/client-rds'),
  ec2: () => import('@aws-sdk/client-ec2'),
  sts: () => import('@aws-sdk/client-sts'),
}
const loaded = new Map<AwsServiceName, Promise<Record<string, unknown>>>()
const sdkPackage = (service: AwsServiceName) => getOrSet(loaded, service, loaders[service])

type CommandClass = new (input: Record<string, unknown>) => unknown
export type Waiter = (
  params: {
    client: unknown
    maxWaitTime: number
    minDelay?: number
    maxDelay?: number
    abortSignal?: AbortSignal
  },
  input: Record<string, unknown>
) => Promise<{ state: string; reason?: unknown }>

export function commandClass(service: AwsServiceName, operation: string): Promise<CommandClass> {
  return sdkFunction(service, `${operation}Command`, `operation "${operation}"`, 'AWS_OPERATION_UNKNOWN')
}

export function waiterFor(service: AwsServiceName, name: string): Promise<Waiter> {
  return sdkFunction(service, `waitUntil${name}`, `waiter "${name}"`, 'AWS_WAITER_UNKNOWN')
}

/** A function the service's SDK package exports; a catalogue naming one it lacks fails the node clearly. */
async function sdkFunction<T>(
  service: AwsServiceName,
  exportName: string,
  what: string,
  code: string
): Promise<T> {
  const found = (await sdkPackage(service))[exportName]
  if (typeof found !== 'function')
    throw new NodeExecutionError(`the ${service} SDK has no ${what}`, false, undefined, code)
  return found as T
}

/** The smallest client surface the plugins use; every SDK v3 client has it. */
export interface SendingClient {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>
}

export async function send(
  client: SendingClient,
  service: AwsServiceName,
  operation: string,
  input: Record<string, unknown>,
  signal?: AbortSignal
): Promise<Record<string, unknown>> {
  const Command = await commandClass(service, operation)
  return (await client.send(new Command(input), signal ? { abortSignal: signal } : undefined)) as Record<
    string,
    unknown
  >
}

export interface Paging {
  /** Request key carrying the token, e.g. `Marker` (RDS) or `NextToken` (EC2). */
  input: string
  /** Response key carrying the next token. */
  output: string
  /** Page size request key and the largest size the call accepts. */
  pageSize?: { key: string; max: number; unlessParams?: string[] }
}

/**
 * Every page of a describe call, one response at a time. Always follows the token to the end: a
 * listing that stops at the first page is the classic way to miss resources in a large account.
 */
export async function* paginate(
  client: SendingClient,
  service: AwsServiceName,
  operation: string,
  input: Record<string, unknown>,
  paging: Paging,
  signal?: AbortSignal
): AsyncGenerator<Record<string, unknown>> {
  const request: Record<string, unknown> = { ...input }
  const size = paging.pageSize
  if (
    size &&
    request[size.key] === undefined &&
    !size.unlessParams?.some((key) => request[key] !== undefined)
  )
    request[size.key] = size.max
  const seen = new Set<string>()
  for (;;) {
    signal?.throwIfAborted()
    const page = await send(client, service, operation, request, signal)
    yield page
    const token = page[paging.output]
    if (typeof token !== 'string' || token === '') return
    // A service that hands back a token it already gave would loop for ever; stop instead.
    if (seen.has(token)) throw new Error(`${operation} returned the same page token twice`)
    seen.add(token)
    request[paging.input] = token
  }
}
