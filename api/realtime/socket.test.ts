import { io as connect, type Socket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { TEST_PASSWORD } from '../test/password.ts'

let t: TestApp
let url: string
beforeAll(async () => {
  // the periodic recheck stays out of these tests: a logout must close sockets by itself
  // (session-recheck.test.ts covers the recheck)
  t = await openTestApp({ socketRecheckMs: 3_600_000 })
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`
})
afterAll(async () => t?.close())

function open(auth: Record<string, unknown>): Promise<{ socket: Socket; hello?: unknown; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect(url, { auth, transports: ['websocket'], reconnection: false })
    socket.on('hello', (hello) => resolve({ socket, hello }))
    socket.on('connect_error', (err) => resolve({ socket, error: err.message }))
  })
}

describe('socket.io handshake', () => {
  it('refuses a socket without a token or with a bad one', async () => {
    const a = await open({})
    expect(a.error).toMatch(/unauthorized/)
    a.socket.close()
    const b = await open({ token: 'not-a-real-token-0123456789' })
    expect(b.error).toMatch(/unauthorized/)
    b.socket.close()
  })

  it('admits a signed-in user into the rooms of their scope', async () => {
    const ok = await open({ token: await t.token('display') })
    expect(ok.error).toBeUndefined()
    expect(ok.hello).toMatchObject({ user: { role: 'display' }, rooms: ['town'] })
    ok.socket.close()
    const cadre = await open({ token: await t.token('cadre-4') })
    expect(cadre.hello).toMatchObject({ rooms: ['village:4'] })
    cadre.socket.close()
  })
})

describe('data changes', () => {
  it('tells screens, not terminals, which tables changed, once per burst', async () => {
    const screen = await open({ token: await t.token('display') })
    const device = await open({ token: await t.token('device') })
    const seen: { tables: string[] }[] = []
    let deviceHeard = 0
    screen.socket.on('dataChanged', (m: { tables: string[] }) => seen.push(m))
    device.socket.on('dataChanged', () => deviceHeard++)
    // three statements in quick succession, as an import would run them
    await t.db.query("UPDATE disputes SET stage = stage WHERE id IN (SELECT id FROM disputes ORDER BY id LIMIT 3)")
    await t.db.query('UPDATE cameras SET online = online WHERE id = 1')
    await t.db.query('UPDATE disputes SET stage = stage WHERE id = 1')
    const end = Date.now() + 5000
    while (!seen.length && Date.now() < end) await new Promise((r) => setTimeout(r, 50))
    await new Promise((r) => setTimeout(r, 1500))
    expect(seen).toHaveLength(1)
    expect(seen[0].tables.sort()).toEqual(['cameras', 'disputes'])
    expect(deviceHeard).toBe(0)
    screen.socket.close()
    device.socket.close()
  })
})

describe('sign-out', () => {
  it('closes the sockets of a token that was logged out at once', async () => {
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'leader', password: TEST_PASSWORD } })
    const token = login.json().token as string
    const s = await open({ token })
    let ended = false
    s.socket.on('sessionEnded', () => (ended = true))
    const closed = new Promise<void>((r) => s.socket.on('disconnect', () => r()))
    const out = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { authorization: `Bearer ${token}` } })
    expect(out.statusCode).toBe(204)
    await closed
    expect(ended).toBe(true)
    // a socket of another, still valid session stays
    const other = await open({ token: await t.token('display') })
    await new Promise((r) => setTimeout(r, 700))
    expect(other.socket.connected).toBe(true)
    other.socket.close()
  })
})

