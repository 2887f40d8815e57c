import type { FastifyReply } from 'fastify'
import { HttpError } from './errors.ts'

/** "1 hour", "59 minutes", "30 seconds": how @fastify/rate-limit words its wait. */
export function retryIn(seconds: number): string {
  const [n, unit] = seconds >= 86_400 ? [seconds / 86_400, 'day'] : seconds >= 3600 ? [seconds / 3600, 'hour'] : seconds >= 60 ? [seconds / 60, 'minute'] : [seconds, 'second']
  const r = Math.round(n)
  return `${r} ${unit}${r === 1 ? '' : 's'}`
}

/**
 * The one answer of every request-count limit: 429, code rate_limited, "Rate limit exceeded,
 * retry in …", and the plugin's headers. A limit kept by hand (not by @fastify/rate-limit's
 * route hook) answers through this too, so no client can tell which limit it met.
 */
export function rateLimited(reply: FastifyReply | null, limit: { max: number; ttlSeconds: number }): HttpError {
  if (reply) {
    reply.header('x-ratelimit-limit', limit.max).header('x-ratelimit-remaining', 0)
      .header('x-ratelimit-reset', limit.ttlSeconds).header('retry-after', limit.ttlSeconds)
  }
  return new HttpError(429, `Rate limit exceeded, retry in ${retryIn(limit.ttlSeconds)}`)
}
