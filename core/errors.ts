/** Errors core raises. `code` is stable and machine-readable; the server maps codes to HTTP statuses. */
export class FlowError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown
  ) {
    super(message)
    this.name = 'FlowError'
  }
}

/** Thrown by a node while it runs. `retryable` tells a queue whether trying again could help. */
export class NodeExecutionError extends FlowError {
  constructor(
    message: string,
    readonly retryable = false,
    details?: unknown,
    code = 'NODE_FAILED'
  ) {
    super(code, message, details)
    this.name = 'NodeExecutionError'
  }
}

/** The message of anything thrown, without assuming it is an Error. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message
  return typeof err === 'string' ? err : JSON.stringify(err)
}
