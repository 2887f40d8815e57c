import type { FastifyInstance } from 'fastify'
import type { Db } from '../db/types.ts'
import { HttpError } from '../http/errors.ts'
import { bearerToken, SessionCache } from './sessions.ts'

/**
 * Every /api route needs a bearer token unless its config says `public: true`; the user is
 * resolved before validation so an anonymous caller learns nothing but 401.
 */
export function registerAuthentication(app: FastifyInstance, db: Db): SessionCache {
  const sessions = new SessionCache(db)
  app.decorateRequest('user', null)
  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/api/') || req.routeOptions.config?.public || req.url.startsWith('/api/docs')) return
    // unknown routes answer 404 without a token, as they would with one
    if (!req.routeOptions.url) return
    const token = bearerToken(req.headers.authorization)
    if (!token) throw new HttpError(401, 'sign in first: Authorization: Bearer <token>')
    const user = await sessions.resolve(token)
    if (!user) throw new HttpError(401, 'token expired or revoked; sign in again')
    req.user = user
  })
  return sessions
}
