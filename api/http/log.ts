import type { FastifyRequest } from 'fastify'

// Query parameters whose values must never reach a log line. Walls sign in with a token in
// the address fragment, which browsers do not send; a token in the query string (an old
// bookmark, a hand-typed link) would otherwise be written to the log on every request.
const SECRET_PARAM = /([?&][^=&#]*(?:token|password|secret|code)[^=&#]*=)[^&#]*/gi

export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAM, '$1[redacted]')
}

/** Fastify's request serializer with the address redacted. */
export function serializeRequest(req: FastifyRequest) {
  return {
    method: req.method,
    url: redactUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }
}
