import type { FastifyPluginAsync } from 'fastify'
import rateLimit from '@fastify/rate-limit'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { HttpError } from '../http/errors.ts'
import { currentUser } from './guard.ts'
import { verifyPassword } from './password.ts'
import { claimLoginAttempt, createSession, findLoginCandidate, recordSuccessfulLogin, revokeSession } from './repository.ts'
import { bearerToken, type SessionCache } from './sessions.ts'
import { endSessionSockets } from '../realtime/socket.ts'

// a whitelist: the resolved scope stays on the server
const UserSchema = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  villageId: Type.Union([Type.Integer(), Type.Null()]),
  gridId: Type.Union([Type.Integer(), Type.Null()]),
  departmentId: Type.Union([Type.Integer(), Type.Null()]),
  /** how far the account reaches (county, town with its id, village, grid, department, none): the wall opens on it */
  scope: Type.Object({ level: Type.String(), townId: Type.Optional(Type.Integer()) }),
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
      // Unknown, disabled and locked accounts answer exactly as a wrong password does, after
      // the same scrypt work, so neither the answer nor its timing tells them apart.
      const attempt = found && !found.disabled ? await claimLoginAttempt(db, found.user.id) : false
      const ok = await verifyPassword(password, found?.passwordHash ?? DUMMY_HASH)
      if (!found || !attempt || !ok) throw new HttpError(401, 'wrong username or password')
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
