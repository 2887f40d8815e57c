import type { FastifyInstance } from 'fastify'
import { Server } from 'socket.io'
import type { SessionCache } from '../auth/sessions.ts'
import type { AuthUser } from '../auth/roles.ts'
import { tokenHash } from '../auth/repository.ts'
import { roomsFor } from '../access/scope.ts'
import { can } from '../access/policy.ts'
import { REDACTED_ROOM } from '../access/wall-view.ts'


declare module 'fastify' {
  interface FastifyInstance {
    io: Server
  }
}

/** The room of every socket opened with one token, so a logout can reach them on any process. */
export const sessionRoomOfHash = (hash: string) => `session:${hash.slice(0, 32)}`
export const sessionRoom = (token: string) => sessionRoomOfHash(tokenHash(token))

/**
 * Tells a token's sockets their session is over and closes them: at once on this process, and
 * on every process when the Redis adapter joins them; otherwise the periodic recheck on the
 * other processes finds the revoked token within recheckMs.
 */
export function endSessionSockets(io: Server, token: string): void {
  endSessionRooms(io, [sessionRoom(token)])
}

/** The same for sessions known by their stored hashes (an admin disabled a user, or reset her password). */
export function endSessionRooms(io: Server, rooms: string[]): void {
  if (!rooms.length) return
  io.to(rooms).emit('sessionEnded', { message: '登录已失效' })
  io.in(rooms).disconnectSockets(true)
}

/**
 * socket.io on the API's own HTTP server. The handshake carries the same bearer token as
 * REST (`auth: { token }`); a socket without a valid one is refused before it connects.
 */
export function attachSocketServer(app: FastifyInstance, sessions: SessionCache, recheckMs = 30_000, version = 'dev'): Server {
  const io = new Server(app.server, {
    path: '/socket.io',
    serveClient: false,
    // One bad client must not hold megabytes: frames over 256 kB close its socket.
    maxHttpBufferSize: 256 * 1024,
    cors: { origin: false },
  })
  io.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token
    if (typeof token !== 'string' || !token) return next(new Error('unauthorized: auth.token is required'))
    try {
      // a token that is not of our shape is refused without a lookup, and a refused one is not remembered
      const user = await sessions.resolve(token)
      if (!user) return next(new Error('unauthorized: token expired or revoked'))
      socket.data.user = user
      socket.data.token = token
      next()
    } catch {
      next(new Error('unauthorized'))
    }
  })
  io.on('connection', (socket) => {
    const user = socket.data.user as AuthUser
    for (const room of roomsFor(user)) void socket.join(room)
    // pushes that carry staff free text reach a wall redacted (api/access/wall-view.ts)
    if (!can(user, 'freeText.read')) void socket.join(REDACTED_ROOM)
    void socket.join(sessionRoom(socket.data.token as string))
    // the build: a wall on an older one reloads itself at its next quiet moment
    socket.emit('hello', { user: { username: user.username, role: user.role }, rooms: roomsFor(user), version })
  })
  // A socket outlives its handshake: every recheck, sockets whose token was revoked (logout on
  // any process) or has expired are told and closed, so a signed-out screen stops receiving.
  let checking = false
  const recheck = setInterval(() => {
    if (checking) return
    checking = true
    void (async () => {
      for (const socket of io.of('/').sockets.values()) {
        const user = await sessions.resolve(socket.data.token as string).catch(() => undefined)
        if (user === null) {
          socket.emit('sessionEnded', { message: '登录已失效' })
          socket.disconnect(true)
        }
      }
    })().finally(() => (checking = false))
  }, recheckMs)
  recheck.unref()
  app.addHook('onClose', async () => clearInterval(recheck))
  app.decorate('io', io)
  // Fastify closes the HTTP server itself; io.close() would close it a second time. A restart
  // only cuts the transports: the screens see a "transport close" and come back to the next
  // process by themselves. disconnectSockets() would send socket.io's DISCONNECT, which its
  // client takes as "do not come back" (walls on an older build would stay cut off for good).
  app.addHook('preClose', async () => {
    io.engine.close()
  })
  return io
}
