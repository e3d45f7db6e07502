import type { MiddlewareHost } from './clients.ts'

/**
 * How long qflow waits on AWS (or an account's endpoint override). Without limits the SDK waits
 * forever on a socket that accepts and never answers: an account test hangs, a resource node sits
 * until the 15-minute node timeout, and a stopping server stays alive on the open socket.
 */
export interface AwsTimeouts {
  /** Establishing the TCP (and TLS) connection (QFLOW_AWS_CONNECT_TIMEOUT_MS). */
  connectMs: number
  /** One attempt of one call, request sent to response read (QFLOW_AWS_REQUEST_TIMEOUT_MS). */
  requestMs: number
  /** The whole `POST /api/accounts/:id/test`, retries included (QFLOW_AWS_TEST_TIMEOUT_MS). */
  testMs: number
}

export const AWS_TIMEOUT_DEFAULTS: AwsTimeouts = { connectMs: 5_000, requestMs: 60_000, testMs: 10_000 }

/**
 * Attempts of one call that may time out before it fails: one retry covers a lost packet, while a
 * peer that never answers costs two request timeouts rather than the retry budget's eight.
 */
const TIMED_OUT_ATTEMPTS = 2

/** The SDK client option that puts the limits on its Node HTTP handler. */
export function requestHandlerOptions(timeouts: AwsTimeouts) {
  return {
    connectionTimeout: timeouts.connectMs,
    requestTimeout: timeouts.requestMs,
    // Without this the handler only logs a warning when the request timeout passes.
    throwOnRequestTimeout: true,
    socketTimeout: timeouts.requestMs,
  }
}

/** A call that got no answer in time; a plain error, so the SDK's retry does not try it again. */
export class NoAnswerError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'NoAnswer'
  }
}

/** The call was cut short because the server is stopping. */
export class StoppingError extends Error {
  constructor() {
    super('qflow is stopping; the AWS call was abandoned')
    this.name = 'ServerStopping'
  }
}

interface HttpRequestLike {
  protocol?: string
  hostname?: string
  port?: number
}

export function endpointOf(request: HttpRequestLike | undefined): string {
  if (!request?.hostname) return 'the endpoint'
  const protocol = (request.protocol ?? 'https:').replace(/:?$/, ':')
  return `${protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}`
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`

/**
 * Wraps every attempt of every call (inside the SDK's retry loop): turns the second timeout of a
 * call into a `NoAnswer` error naming the endpoint and the limit, and ends attempts at once when
 * the gateway closes, so a stopping server is not held open by a socket that never answers.
 */
export function limitAttempts(client: unknown, timeouts: AwsTimeouts, closing: AbortSignal): void {
  const timedOut = new WeakMap<object, number>()
  ;(client as MiddlewareHost).middlewareStack.add(
    (next, context) => async (args) => {
      if (closing.aborted) throw new StoppingError()
      try {
        return await untilAborted(next(args), closing)
      } catch (err) {
        if ((err as Error)?.name !== 'TimeoutError') throw err
        const count = (timedOut.get(context) ?? 0) + 1
        timedOut.set(context, count)
        if (count < TIMED_OUT_ATTEMPTS) throw err
        const endpoint = endpointOf(args.request as HttpRequestLike | undefined)
        const connecting = /establish a connection/.test((err as Error).message)
        throw new NoAnswerError(
          connecting
            ? `could not connect to ${endpoint} within ${seconds(timeouts.connectMs)} (${count} attempts)`
            : `no answer from ${endpoint} within ${seconds(timeouts.requestMs)} (${count} attempts)`
        )
      }
    },
    { step: 'deserialize', name: 'qflowAttemptLimits', priority: 'high' }
  )
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(new StoppingError())
    signal.addEventListener('abort', stop, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop))
  })
}
