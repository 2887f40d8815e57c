import type { FastifyInstance } from 'fastify'
import type { Db } from '../db/types.ts'
import { HttpError } from '../http/errors.ts'
import { bearerToken, SessionCache } from './sessions.ts'
import { requirePermission } from '../access/policy.ts'

/** the OpenAPI document, as JSON or YAML */
const API_DESCRIPTION = /^\/api\/docs\/(json|yaml)$/

/**
 * The auth gate. It decides on the route the router matched (however the address was spelled:
 * `/%61pi/…`, an absolute-form target, a double slash), not on the raw URL, and it runs in
 * onRequest, before any body is read: every route needs a bearer token unless its config says
 * `public: true` (health, sign-in, the API docs' page but not the description it shows, the
 * screen's static files). A request that matches no route falls through to the 404 handler, as
 * it would with a token.
 */
export function registerAuthentication(app: FastifyInstance, db: Db): SessionCache {
  const sessions = new SessionCache(db)
  app.decorateRequest('user', null)
  // The docs' routes come from @fastify/swagger-ui, which takes no route config: its page and
  // scripts are public, the API description itself is for a signed-in admin (../http/docs.ts).
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/docs')) return
    if (!API_DESCRIPTION.test(route.url)) route.config = { ...(route.config as object), public: true }
    else route.onRequest = [...[route.onRequest ?? []].flat(), async (req) => void requirePermission(req, 'docs.read')]
  })
  app.addHook('onRequest', async (req) => {
    if (!req.routeOptions.url || req.routeOptions.config?.public) return
    const token = bearerToken(req.headers.authorization)
    if (!token) throw new HttpError(401, 'sign in first: Authorization: Bearer <token>')
    const user = await sessions.resolve(token)
    if (!user) throw new HttpError(401, 'token expired or revoked; sign in again')
    req.user = user
  })
  return sessions
}
