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

/**
 * An import's report of rejected rows (422) in the uniform error shape too, so a client that
 * reads `message` of every 4xx shows something, and one that knows the report reads its rows.
 */
export function rejectedRows<R extends { errors: { row: number; reason: string }[] }>(report: R): R & ErrorBody {
  const [first] = report.errors
  const more = report.errors.length > 1 ? ` (and ${report.errors.length - 1} more)` : ''
  return { ...errorBody(422, `${report.errors.length} rows cannot be imported: row ${first.row}: ${first.reason}${more}`), ...report }
}

/** The fields `rejectedRows` adds, for a 422 report's response schema. */
export const ERROR_FIELDS = { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' } } as const

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
