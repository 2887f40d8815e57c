import type { FastifyPluginAsync } from 'fastify'
import rateLimit from '@fastify/rate-limit'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { HttpError } from '../http/errors.ts'
import { currentUser } from './guard.ts'
import { verifyPassword } from './password.ts'
import { createSession, findLoginCandidate, recordSuccessfulLogin, revokeSession } from './repository.ts'
import { claimSignIn, forgetStaleThrottles, recordSignIn } from './throttle.ts'
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
        summary: 'sign in; returns a bearer token. 429 login_throttled (with Retry-After) while this address, or a new address on a guessed account, must wait',
        body: Type.Object(
          { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ token: Type.String(), expiresAt: Type.String(), user: UserSchema }) },
      },
    },
    async (req, reply) => {
      const { username, password } = req.body
      // The attempt is taken for (username, address) first, whether the account exists or not:
      // a throttled address is told to wait (429) the same way for any username.
      const claim = await claimSignIn(db, username, req.ip)
      if ('retryAfter' in claim) {
        reply.header('retry-after', String(claim.retryAfter))
        throw new HttpError(429, `too many failed sign-ins; try again in ${claim.retryAfter} s`, 'login_throttled')
      }
      const found = await findLoginCandidate(db, username)
      // Unknown and disabled accounts answer exactly as a wrong password does, after the same
      // scrypt work, so neither the answer nor its timing tells them apart.
      const ok = await verifyPassword(password, found?.passwordHash ?? DUMMY_HASH)
      if (!found || found.disabled || !ok) throw new HttpError(401, 'wrong username or password')
      await recordSignIn(db, username, req.ip, claim.known)
      await recordSuccessfulLogin(db, found.user.id)
      const session = await createSession(db, found.user)
      req.log.info({ user: found.user.username }, 'signed in')
      return { ...session, user: found.user }
    },
  )

  // addresses and windows that no longer hold anything back are forgotten hourly
  const sweep = setInterval(() => void forgetStaleThrottles(db).catch((err) => app.log.error({ err }, 'sign-in throttle sweep failed')), 3_600_000)
  sweep.unref()
  app.addHook('onClose', async () => clearInterval(sweep))

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
