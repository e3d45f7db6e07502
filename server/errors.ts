/**
 * An error meant for the caller, with the HTTP status it maps to. Services throw it; the app's
 * error handler renders it as `{error: {code, message, details}}`; the CLI prints its message.
 */
export class AppError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 428 | 429 | 500 | 503,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Response headers that belong to the error, e.g. `Retry-After` on 429. */
    readonly headers?: Record<string, string>
  ) {
    super(message)
    this.name = 'AppError'
  }
}

/** Ids are echoed back at most this long: a 5,000-character path segment need not come back twice. */
const ECHOED_ID_LENGTH = 200

export const notFound = (what: string, id: string) => {
  const shown = id.length > ECHOED_ID_LENGTH ? `${id.slice(0, ECHOED_ID_LENGTH)}…` : id
  return new AppError(404, `${what.toUpperCase()}_NOT_FOUND`, `no ${what} with id "${shown}"`, { id: shown })
}
