import { io as connect } from 'socket.io-client'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { buildServer } from '../server.ts'

let t: TestApp
let second: FastifyInstance | null = null
let port: number
beforeAll(async () => {
  t = await openTestApp({ socketRecheckMs: 3_600_000 })
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  port = (t.app.server.address() as { port: number }).port
})
afterAll(async () => {
  await second?.close()
  await t?.close()
})

// A planned restart (SIGTERM → app.close() → a new process on the same port): the screens'
// sockets must come back by themselves, even a wall still running an older build whose client
// knows nothing but socket.io's own retry, which never follows an "io server disconnect".
it('a graceful close leaves clients a transport close they reconnect from, to the next server', async () => {
  const token = await t.token('display')
  const socket = connect(`http://127.0.0.1:${port}`, { auth: { token }, transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 300 })
  try {
    await new Promise<void>((r) => socket.once('hello', () => r()))
    const reason = new Promise<string>((r) => socket.once('disconnect', (why) => r(why)))
    await t.app.close()
    expect(await reason).toBe('transport close')
    // the same database, a new server on the same port: the socket finds it with its old token
    second = await buildServer({ db: t.db, socketRecheckMs: 3_600_000 })
    await second.listen({ port, host: '127.0.0.1' })
    const hello = await new Promise<unknown>((r) => socket.once('hello', r))
    expect(hello).toMatchObject({ user: { role: 'display' } })
  } finally {
    socket.close()
  }
}, 60_000)
