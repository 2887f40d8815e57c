import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { ROLES, type Role } from '../auth/roles.ts'
import { hashPassword, randomPassword } from '../auth/password.ts'
import type { SessionCache } from '../auth/sessions.ts'
import { endSessionRooms, sessionRoomOfHash } from '../realtime/socket.ts'
import { HttpError } from '../http/errors.ts'
import { createUser, getUser, listUsers, revokeUserSessions, setPasswordHash, unlockUser, updateUser, type ScopeFields, type UserRecord } from './repository.ts'
import { originOf, writeAudit } from '../access/audit.ts'

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })
const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)))
const NullableId = Type.Union([Type.Null(), Id])
const Password = Type.String({ minLength: 8, maxLength: 128, description: 'at least 8 characters' })
const UserSchema = Type.Object({
  id: Type.Integer(), username: Type.String(), displayName: Type.String(), role: Type.String(),
  villageId: Type.Union([Type.Integer(), Type.Null()]), gridId: Type.Union([Type.Integer(), Type.Null()]),
  gridName: Type.Union([Type.String(), Type.Null()]), departmentId: Type.Union([Type.Integer(), Type.Null()]),
  townId: Type.Union([Type.Integer(), Type.Null()]),
  disabled: Type.Boolean(), locked: Type.Boolean(), lastLoginAt: Type.Union([Type.String(), Type.Null()]), createdAt: Type.String(),
})

const scopeText = (u: UserRecord) =>
  [u.townId ? ` town ${u.townId}` : '', u.villageId ? ` village ${u.villageId}` : '', u.gridId ? ` grid ${u.gridId}` : '', u.departmentId ? ` department ${u.departmentId}` : ''].join('')

/** what an edit changed, as the trail says it (no passwords, no personal data: names of staff accounts only) */
function changes(before: UserRecord, after: UserRecord): string {
  const out: string[] = []
  for (const k of ['displayName', 'role', 'townId', 'villageId', 'gridId', 'departmentId', 'disabled'] as const) {
    if (before[k] !== after[k]) out.push(`${k} ${String(before[k])} → ${String(after[k])}`)
  }
  return out.join(', ')
}

/** Accounts, for the admin: create, change role and scope, disable, reset a password. */
export const userRoutes: FastifyPluginAsync<{ db: Db; sessions: SessionCache }> = async (app, { db, sessions }) => {
  // a changed role, scope or password, or a disabled account, ends the user's sessions and sockets at once
  const endSessions = async (userId: number) => {
    const hashes = await revokeUserSessions(db, userId)
    sessions.forgetUser(userId)
    endSessionRooms(app.io, hashes.map(sessionRoomOfHash))
  }

  app.get<{ Querystring: { role?: Role; q?: string; limit: number; offset: number } }>(
    '/users',
    {
      schema: {
        tags: ['users'], summary: 'accounts (admin)',
        querystring: Type.Object(
          {
            role: Type.Optional(RoleSchema), q: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }), offset: Type.Integer({ minimum: 0, default: 0 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ users: Type.Array(UserSchema), total: Type.Integer() }) },
      },
    },
    async (req) => {
      requirePermission(req, 'users.manage')
      return listUsers(db, req.query)
    },
  )

  app.post<{ Body: { username: string; displayName: string; role: Role; password: string } & ScopeFields }>(
    '/users',
    {
      schema: {
        tags: ['users'], summary: 'create an account with its role and scope (admin)',
        body: Type.Object(
          {
            username: Type.String({ pattern: '^[A-Za-z0-9_.-]{2,64}$' }), displayName: Type.String({ minLength: 1, maxLength: 50 }), role: RoleSchema,
            villageId: Type.Optional(NullableId), gridId: Type.Optional(NullableId), departmentId: Type.Optional(NullableId), password: Password,
            townId: Type.Optional(Type.Union([Type.Null(), Id], { description: "a leader's, dispatcher's or display's town; none: the county's" })),
          },
          { additionalProperties: false },
        ),
        response: { 201: UserSchema },
      },
    },
    async (req, reply) => {
      const admin = requirePermission(req, 'users.manage')
      const { password, ...rest } = req.body
      const user = await createUser(db, { ...rest, passwordHash: await hashPassword(password) })
      await writeAudit(db, admin, originOf(req), { action: 'userCreate', reason: `${user.username} (${user.displayName}): ${user.role}${scopeText(user)}` })
      return reply.code(201).send(user)
    },
  )

  app.patch<{ Params: { id: number }; Body: { displayName?: string; role?: Role; disabled?: boolean } & ScopeFields }>(
    '/users/:id',
    {
      schema: {
        tags: ['users'], summary: "change an account's name, role and scope, or disable it; its sessions end when its rights change (admin)",
        params: Type.Object({ id: Id }),
        body: Type.Object(
          {
            displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })), role: Type.Optional(RoleSchema), disabled: Type.Optional(Type.Boolean()),
            villageId: Type.Optional(NullableId), gridId: Type.Optional(NullableId), departmentId: Type.Optional(NullableId), townId: Type.Optional(NullableId),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: UserSchema },
      },
    },
    async (req) => {
      const admin = requirePermission(req, 'users.manage')
      const b = req.body
      if (req.params.id === admin.id && (b.disabled === true || (b.role !== undefined && b.role !== admin.role))) {
        throw new HttpError(400, 'body: an admin may not disable or demote their own account')
      }
      const before = await getUser(db, req.params.id)
      const user = await updateUser(db, req.params.id, b)
      const rightsChanged = user.role !== before.role || user.villageId !== before.villageId || user.gridId !== before.gridId
        || user.departmentId !== before.departmentId || user.townId !== before.townId || (user.disabled && !before.disabled)
      if (rightsChanged) await endSessions(user.id)
      const what = changes(before, user)
      if (what) {
        const action = user.disabled && !before.disabled ? 'userDisable' : !user.disabled && before.disabled ? 'userEnable' : 'userUpdate'
        await writeAudit(db, admin, originOf(req), { action, reason: `${user.username}: ${what}` })
      }
      return user
    },
  )

  app.post<{ Params: { id: number }; Body: { password?: string } }>(
    '/users/:id/password',
    {
      schema: {
        tags: ['users'], summary: 'set a new password (or have one made, shown once), unlock the account and end its sessions (admin)',
        params: Type.Object({ id: Id }),
        body: Type.Object({ password: Type.Optional(Password) }, { additionalProperties: false }),
        response: { 200: Type.Object({ password: Type.Optional(Type.String()) }) },
      },
    },
    async (req) => {
      const admin = requirePermission(req, 'users.manage')
      const made = req.body.password === undefined ? randomPassword() : undefined
      await setPasswordHash(db, req.params.id, await hashPassword(req.body.password ?? made!))
      await endSessions(req.params.id)
      const user = await getUser(db, req.params.id)
      await writeAudit(db, admin, originOf(req), { action: 'passwordReset', reason: `${user.username}: ${made ? 'a password made and shown once' : 'a password set by the admin'}` })
      return made ? { password: made } : {}
    },
  )

  app.post<{ Params: { id: number } }>(
    '/users/:id/unlock',
    {
      schema: {
        tags: ['users'], summary: "lift the account's sign-in throttle at every address (too many wrong passwords); audited (admin)",
        params: Type.Object({ id: Id }),
        response: { 200: UserSchema },
      },
    },
    async (req) => {
      const admin = requirePermission(req, 'users.manage')
      const user = await unlockUser(db, req.params.id)
      await writeAudit(db, admin, originOf(req), { action: 'unlockAccount', reason: `sign-in throttle lifted for ${user.username}` })
      return user
    },
  )
}
