import type { FastifyError, FastifyInstance } from 'fastify'

/** Uniform error body for every failure: { statusCode, error, message }. */
export interface ErrorBody {
  statusCode: number
  error: string
  message: string
}

/**
 * An error a route raises on purpose: its message is written for the client and is sent as is,
 * whatever the status (a 504 "terminal did not answer" says what happened, not how).
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message)
  }
}

export const notFound = (what: string) => new HttpError(404, `${what} not found`)

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict',
  413: 'Payload Too Large', 422: 'Unprocessable Entity', 423: 'Locked', 415: 'Unsupported Media Type', 429: 'Too Many Requests', 500: 'Internal Server Error',
  503: 'Service Unavailable', 504: 'Gateway Timeout',
}

export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: REASONS[statusCode] ?? 'Error', message }
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HttpError, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500
    if (status >= 500 && !(err instanceof HttpError)) {
      req.log.error({ err }, 'request failed')
      // Internal details (a driver's or a library's message) stay in the log, not in the response.
      return reply.code(status).send(errorBody(status, 'internal error'))
    }
    if (status >= 500) req.log.warn({ status, message: err.message }, 'request failed')
    return reply.code(status).send(errorBody(status, err.message))
  })
}
