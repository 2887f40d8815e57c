import type { FastifyPluginAsync } from 'fastify'
import rateLimit from '@fastify/rate-limit'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { HttpError } from '../http/errors.ts'
import { currentUser } from './guard.ts'
import { verifyPassword } from './password.ts'
import { createSession, findLoginCandidate, recordFailedLogin, recordSuccessfulLogin, revokeSession } from './repository.ts'
import { bearerToken, type SessionCache } from './sessions.ts'
import { endSessionSockets } from '../realtime/socket.ts'

const UserSchema = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  villageId: Type.Union([Type.Integer(), Type.Null()]),
  gridId: Type.Union([Type.Integer(), Type.Null()]),
})

// Spent on unknown usernames too, so timing does not tell which usernames exist.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='

export const authRoutes: FastifyPluginAsync<{ db: Db; sessions: SessionCache; loginRateLimit: number }> = async (app, { db, sessions, loginRateLimit }) => {
  await app.register(rateLimit, { global: false })

  app.post<{ Body: { username: string; password: string } }>(
    '/auth/login',
    {
      config: { public: true, rateLimit: { max: loginRateLimit, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'sign in; returns a bearer token',
        body: Type.Object(
          { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ token: Type.String(), expiresAt: Type.String(), user: UserSchema }) },
      },
    },
    async (req) => {
      const { username, password } = req.body
      const found = await findLoginCandidate(db, username)
      const ok = await verifyPassword(password, found?.passwordHash ?? DUMMY_HASH)
      if (!found || found.disabled) throw new HttpError(401, 'wrong username or password')
      if (found.locked) throw new HttpError(423 as number, 'account locked after repeated failed sign-ins; try again in 15 minutes')
      if (!ok) {
        await recordFailedLogin(db, found.user.id)
        throw new HttpError(401, 'wrong username or password')
      }
      await recordSuccessfulLogin(db, found.user.id)
      const session = await createSession(db, found.user)
      req.log.info({ user: found.user.username }, 'signed in')
      return { ...session, user: found.user }
    },
  )

  app.post('/auth/logout', { schema: { tags: ['auth'], summary: 'revoke the current token' } }, async (req, reply) => {
    currentUser(req)
    const token = bearerToken(req.headers.authorization)!
    await revokeSession(db, token)
    sessions.forget(token)
    endSessionSockets(app.io, token)
    return reply.code(204).send()
  })

  app.get('/auth/me', { schema: { tags: ['auth'], summary: 'the signed-in user', response: { 200: UserSchema } } }, async (req) =>
    currentUser(req),
  )
}
