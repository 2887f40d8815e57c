import type { FastifyRequest } from 'fastify'

// Query parameters whose values must never reach a log line. Walls sign in with a token in
// the address fragment, which browsers do not send; a token in the query string (an old
// bookmark, a hand-typed link) would otherwise be written to the log on every request.
const SECRET_NAME = /token|password|secret|code/i

/**
 * A resident's tracking code is the only key to her report (anyone holding it reads the report
 * and may rate it), so it is a secret like a token: the segment after /public/reports/ never
 * reaches a log, whatever follows it (/rating, a typo, a 404).
 */
const SECRET_SEGMENT_AFTER: readonly (readonly [string, string])[] = [['public', 'reports']]

/**
 * Percent-decoding that never throws: the router and the query parser decode names, so the log
 * must compare decoded names too (`%74oken` is `token` to the route). A malformed sequence
 * (`%E0%A4%A`, a lone `%`) is left as it is and the valid ASCII escapes around it are still
 * decoded; decoded again while it changes (a few rounds), so a double encoding does not hide a
 * name either.
 */
export function safeDecode(s: string): string {
  let out = s
  for (let round = 0; round < 3 && out.includes('%'); round++) {
    let next: string
    try {
      next = decodeURIComponent(out)
    } catch {
      next = out.replace(/%([0-7][0-9a-f])/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    }
    if (next === out) break
    out = next
  }
  return out
}

function redactPath(path: string): string {
  // kept with their separators ('/' or an encoded one) so the rest of the address stays as sent
  const parts = path.split(/(\/|%2f)/i)
  // what the router compares: decoded, without a ';…' suffix (find-my-way ignores it); empty
  // segments (a doubled slash) are skipped, so '//' does not hide the code either
  const named = parts.flatMap((p, i) => (i % 2 === 0 && p !== '' ? [{ i, name: safeDecode(p).split(';')[0].toLowerCase() }] : []))
  for (let k = 2; k < named.length; k++) {
    if (SECRET_SEGMENT_AFTER.some(([a, b]) => named[k - 2].name === a && named[k - 1].name === b)) parts[named[k].i] = '[redacted]'
  }
  return parts.join('')
}

function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=')
      if (eq < 0) return pair
      const name = pair.slice(0, eq)
      return SECRET_NAME.test(safeDecode(name.replace(/\+/g, ' '))) ? `${name}=[redacted]` : pair
    })
    .join('&')
}

/** The address as a log may hold it: secret parameters' values and tracking codes replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?')
  return q < 0 ? redactPath(url) : `${redactPath(url.slice(0, q))}?${redactQuery(url.slice(q + 1))}`
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
