import type { FastifyError, FastifyInstance } from 'fastify'

/**
 * Uniform error body for every failure: { statusCode, error, code, message }. `message` is for
 * people (it names the field or row); `code` is for programs: a stable word a screen acts on,
 * so rewording a message never changes what a client does.
 */
export interface ErrorBody {
  statusCode: number
  error: string
  code: string
  message: string
}

/** The code of an error that names none of its own: one per status. */
const STATUS_CODES: Record<number, string> = {
  400: 'invalid', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 413: 'too_large',
  415: 'unsupported_media_type', 422: 'rows_rejected', 423: 'locked', 429: 'rate_limited', 500: 'internal', 503: 'unavailable', 504: 'timeout',
}
export const defaultCode = (statusCode: number) => STATUS_CODES[statusCode] ?? (statusCode >= 500 ? 'internal' : 'invalid')

/**
 * An error a route raises on purpose: its message is written for the client and is sent as is,
 * whatever the status (a 504 "terminal did not answer" says what happened, not how). `code`
 * defaults to the status's own (see STATUS_CODES); give one where a client must tell this
 * refusal from others of the same status. `fields` are structured facts a client acts on (the
 * household an ID number belongs to), sent beside the message so no client parses its words.
 */
export class HttpError extends Error {
  readonly code: string
  constructor(
    readonly statusCode: number,
    message: string,
    code?: string,
    readonly fields?: Readonly<Record<string, string | number | boolean>>,
  ) {
    super(message)
    this.code = code ?? defaultCode(statusCode)
  }
}

export const notFound = (what: string) => new HttpError(404, `${what} not found`)

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict',
  413: 'Payload Too Large', 422: 'Unprocessable Entity', 423: 'Locked', 415: 'Unsupported Media Type', 429: 'Too Many Requests', 500: 'Internal Server Error',
  503: 'Service Unavailable', 504: 'Gateway Timeout',
}

export function errorBody(statusCode: number, message: string, code = defaultCode(statusCode)): ErrorBody {
  return { statusCode, error: REASONS[statusCode] ?? 'Error', code, message }
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

/** A boundary report whose 四无 problems refuse it (422 `boundary_problems`), naming the first. */
export function problemsRejected<R extends { problems: { kind: string; features: string[] }[] }>(report: R): R & ErrorBody {
  const [first] = report.problems
  const more = report.problems.length > 1 ? ` (and ${report.problems.length - 1} more)` : ''
  return { ...errorBody(422, `${report.problems.length} problems: ${first.kind} of ${first.features.join(', ')}${more}`, 'boundary_problems'), ...report }
}

/** The fields `rejectedRows` adds, for a 422 report's response schema. */
export const ERROR_FIELDS = { statusCode: { type: 'integer' }, error: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } as const

/**
 * Our own errors carry their code; Fastify's (FST_ERR_CTP_INVALID_MEDIA_TYPE, …) keep theirs,
 * which are stable names too; a schema failure is 'invalid' like any other bad field.
 */
function codeOf(err: FastifyError | HttpError, status: number): string {
  if (err instanceof HttpError) return err.code
  if (typeof err.code === 'string' && /^FST_ERR_/.test(err.code) && err.code !== 'FST_ERR_VALIDATION') return err.code
  return defaultCode(status)
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
    const fields = err instanceof HttpError ? err.fields : undefined
    return reply.code(status).send({ ...fields, ...errorBody(status, err.message, codeOf(err, status)) })
  })
}
