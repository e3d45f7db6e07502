import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { FlowError } from '../../core/errors.ts'
import { AppError } from '../errors.ts'
import type { Logger } from '../log.ts'

/** The one error shape every endpoint answers with. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown }
}

export function errorResponse(c: Context, status: number, code: string, message: string, details?: unknown) {
  const body: ErrorBody = { error: { code, message, ...(details === undefined ? {} : { details }) } }
  return c.json(body, status as ContentfulStatusCode)
}

/**
 * Known errors keep their status; core's FlowErrors are the caller's fault (400); anything else is
 * ours: logged in full, answered with a message that leaks nothing.
 */
export function errorHandler(log: Logger): ErrorHandler {
  return (err, c) => {
    if (err instanceof AppError) {
      for (const [name, value] of Object.entries(err.headers ?? {})) c.header(name, value)
      return errorResponse(c, err.status, err.code, err.message, err.details)
    }
    if (err instanceof FlowError) return errorResponse(c, 400, err.code, err.message, err.details)
    if (err instanceof HTTPException) {
      const code = err.status === 413 ? 'BODY_TOO_LARGE' : `HTTP_${err.status}`
      return errorResponse(c, err.status, code, err.message || 'request refused')
    }
    log('error', `${c.req.method} ${c.req.path} failed`, err)
    return errorResponse(c, 500, 'INTERNAL', 'something went wrong on the server; it has been logged')
  }
}

export const notFoundHandler: NotFoundHandler = (c) =>
  errorResponse(c, 404, 'ROUTE_NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`)
