import { io as connect, type Socket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'

let t: TestApp
let url: string
beforeAll(async () => {
  t = await openTestApp()
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
