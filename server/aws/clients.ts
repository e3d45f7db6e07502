import type { AwsClients, AwsServiceName } from '../../plugins/shared/aws.ts'
import type { CredentialConfig } from './credentials.ts'
import type { Semaphore } from './limiter.ts'
import type { Answer } from './snapshot/replay.ts'
import { type AwsTimeouts, limitAttempts, requestHandlerOptions } from './timeouts.ts'

/** Client classes, imported on first use so a server that never touches AWS never loads the SDK. */
const constructors = {
  rds: async () => (await import('@aws-sdk/client-rds')).RDSClient,
  ec2: async () => (await import('@aws-sdk/client-ec2')).EC2Client,
  sts: async () => (await import('@aws-sdk/client-sts')).STSClient,
}
async function clientClass<S extends AwsServiceName>(service: S) {
  return (await constructors[service]()) as unknown as new (
    config: object
  ) => AwsClients[S]
}

export interface ClientSpec {
  accountId: string
  region: string
  service: AwsServiceName
}

/** A hook to add middleware to every client built (latency in the bench, faults in tests). */
export type ClientDecorator = (client: AwsClients[AwsServiceName], spec: ClientSpec) => void

/** The part of a client's middleware stack we use, typed once for all three services. */
export interface MiddlewareHost {
  middlewareStack: {
    add(
      middleware: (
        next: (args: any) => Promise<any>,
        context: { commandName?: string }
      ) => (args: any) => Promise<any>,
      options: {
        step: 'initialize' | 'serialize' | 'build' | 'finalizeRequest' | 'deserialize'
        name?: string
        priority?: 'high' | 'normal' | 'low'
      }
    ): void
  }
}

/** How many attempts the adaptive retry makes before giving up on a throttled call. */
const MAX_ATTEMPTS = 8

/** A client that talks to AWS (or the account's endpoint override). */
export async function liveClient<S extends AwsServiceName>(
  spec: ClientSpec & { service: S },
  options: {
    credentials: CredentialConfig
    endpoint?: string
    limiter: Semaphore
    timeouts: AwsTimeouts
    /** Aborted when the gateway closes: attempts in flight end and no new one starts. */
    closing: AbortSignal
    decorate?: ClientDecorator
  }
): Promise<AwsClients[S]> {
  const Client = await clientClass(spec.service)
  const client = new Client({
    region: spec.region,
    // Adaptive retry: exponential backoff plus a client-side rate that slows down on throttling.
    retryMode: 'adaptive',
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: requestHandlerOptions(options.timeouts),
    ...options.credentials,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  })
  capConcurrency(client, options.limiter)
  limitAttempts(client, options.timeouts, options.closing)
  options.decorate?.(client, spec)
  return client
}

/** A client whose calls never leave the process: the recording answers them. */
export async function snapshotClient<S extends AwsServiceName>(
  spec: ClientSpec & { service: S },
  options: { answer: Answer; decorate?: ClientDecorator }
): Promise<AwsClients[S]> {
  const Client = await clientClass(spec.service)
  const client = new Client({
    region: spec.region,
    credentials: { accessKeyId: 'SNAPSHOT', secretAccessKey: 'SNAPSHOT' },
    // Never contacted: the replay middleware answers before any request is built.
    endpoint: 'http://snapshot.invalid',
    maxAttempts: 1,
  })
  const { answer } = options
  ;(client as unknown as MiddlewareHost).middlewareStack.add(
    (_next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '')
      const output = answer(operation, args.input as Record<string, unknown>)
      return {
        output: { ...output, $metadata: { httpStatusCode: 200, requestId: 'snapshot' } },
        response: {},
      }
    },
    { step: 'initialize', name: 'qflowSnapshotReplay', priority: 'low' }
  )
  options.decorate?.(client, spec)
  return client
}

/**
 * Every call of the client waits for a slot of the account+region semaphore. Added first in the
 * stack, so retries and their backoff happen inside the slot and a throttled region cannot be
 * flooded by other callers meanwhile.
 */
function capConcurrency(client: AwsClients[AwsServiceName], limiter: Semaphore): void {
  ;(client as unknown as MiddlewareHost).middlewareStack.add(
    (next) => (args) => limiter.run(() => next(args)),
    {
      step: 'initialize',
      name: 'qflowConcurrencyCap',
      priority: 'high',
    }
  )
}
