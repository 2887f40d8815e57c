import type { FastifyRequest } from 'fastify'
import { HttpError } from '../http/errors.ts'
import type { AuthUser } from './roles.ts'

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | null
  }
  interface FastifyContextConfig {
    /** the route answers without a token (health, login, docs) */
    public?: boolean
  }
}

/** The signed-in caller, or 401. */
export function currentUser(req: FastifyRequest): AuthUser {
  if (!req.user) throw new HttpError(401, 'sign in first: Authorization: Bearer <token>')
  return req.user
}
