import { HttpError } from '../http/errors.ts'

// Where a camera's video may come from. A wall plays a stream only from this server's own
// origin (a path such as /streams/cam-12/index.m3u8, proxied to the video gateway by the
// township's web server) or from an origin the operator listed in CAMERA_STREAM_ORIGINS (the
// video gateway on the intranet); the screens' CSP admits exactly those (media-src,
// connect-src), so no other address can be fetched whatever is stored.

export type StreamFormat = 'hls' | 'flv'
/** why a camera cannot be played: no address, an address the CSP would not admit, or not HLS / HTTP-FLV */
export type StreamRefusal = 'none' | 'origin' | 'format'
export type StreamVerdict = { url: string; format: StreamFormat } | { refusal: StreamRefusal }

/**
 * An origin as CAMERA_STREAM_ORIGINS names one: http(s), a host and maybe a port, nothing else
 * (a path, a query or credentials would not mean what the operator thinks in a CSP).
 */
export function parseStreamOrigin(raw: string): string {
  let u: URL
  try {
    u = new URL(raw)
  } catch {
    throw new Error(`CAMERA_STREAM_ORIGINS: "${raw}" is not an address (http://10.0.0.8:8080)`)
  }
  if (!/^https?:$/.test(u.protocol) || u.username || u.password || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || raw.endsWith('/')) {
    throw new Error(`CAMERA_STREAM_ORIGINS: "${raw}" must be an origin only (scheme, host, port), e.g. http://10.0.0.8:8080`)
  }
  return u.origin
}

export const parseStreamOrigins = (raw: string | undefined): string[] =>
  (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(parseStreamOrigin)

/**
 * A stream address as the admin types it, checked before it is kept: a path on this server
 * (`/…`, not `//host`) or an http(s) address without credentials; null or '' clears it. Whether
 * it can be played is decided when a wall asks (streamVerdict), since the operator's list of
 * origins may change after.
 */
export function checkStreamUrl(raw: string | null | undefined, field = 'body/streamUrl'): string | null {
  if (raw === undefined || raw === null) return null
  const s = raw.trim()
  if (s === '') return null
  if (/\s/.test(s)) throw new HttpError(400, `${field} must not contain spaces`)
  if (s.startsWith('/') && !s.startsWith('//')) return s
  let u: URL
  try {
    u = new URL(s)
  } catch {
    throw new HttpError(400, `${field} must be an http(s) address or a path on this server (/streams/…)`)
  }
  if (!/^https?:$/.test(u.protocol)) throw new HttpError(400, `${field} must be an http(s) address (rtsp and others are for the video gateway, which converts them)`)
  if (u.username || u.password) throw new HttpError(400, `${field} must not carry a user name or password (a wall would show it to anyone)`)
  return u.href
}

/**
 * Whether a wall may play this stream, and how. `host` is the Host the wall reached the API by:
 * an absolute address on that same host and port is this server's origin too.
 */
export function streamVerdict(url: string | null, allowedOrigins: readonly string[], host?: string): StreamVerdict {
  if (!url) return { refusal: 'none' }
  const u = new URL(url, 'http://this.server')
  const sameOrigin = url.startsWith('/') || (host !== undefined && u.host === host)
  if (!sameOrigin && !allowedOrigins.includes(u.origin)) return { refusal: 'origin' }
  const path = u.pathname.toLowerCase()
  const format: StreamFormat | null = path.endsWith('.m3u8') ? 'hls' : path.endsWith('.flv') ? 'flv' : null
  if (!format) return { refusal: 'format' }
  return { url: sameOrigin && !url.startsWith('/') ? `${u.pathname}${u.search}` : url, format }
}
