import { io as connect } from 'socket.io-client'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { TEST_PASSWORD } from '../test/password.ts'
import { revokeSession } from '../auth/repository.ts'

let t: TestApp
let url: string
beforeAll(async () => {
  t = await openTestApp({ socketRecheckMs: 300 })
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`
})
afterAll(async () => t?.close())

it('closes the socket of a session revoked by another process (no Redis), once the session cache expires', async () => {
  const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'leader', password: TEST_PASSWORD } })
  const token = login.json().token as string
  const socket = connect(url, { auth: { token }, transports: ['websocket'], reconnection: false })
  await new Promise<void>((r) => socket.once('hello', () => r()))
  let ended = false
  socket.on('sessionEnded', () => (ended = true))
  const closed = new Promise<void>((r) => socket.on('disconnect', () => r()))
  // what a logout on another process leaves behind: the row revoked, this process's cache unaware
  await revokeSession(t.db, token)
  const revokedAt = Date.now()
  await closed
  expect(ended).toBe(true)
  // the session cache remembers a token for 10 s; the recheck runs every 300 ms after that
  expect(Date.now() - revokedAt).toBeLessThan(12_000)
}, 20_000)
