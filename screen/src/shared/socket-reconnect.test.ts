import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Server } from 'socket.io'
import { io as connect, type Socket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reconnectAfterServerDisconnect } from './socket-reconnect.ts'

let io: Server
let url: string
let connections = 0
beforeAll(async () => {
  const http = createServer()
  io = new Server(http)
  io.on('connection', () => connections++)
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => io.close(() => r())))

const connected = (s: Socket) => new Promise<void>((r) => (s.connected ? r() : s.once('connect', () => r())))
const dropped = (s: Socket) => new Promise<string>((r) => s.once('disconnect', (reason) => r(reason)))

describe('a socket the server disconnects', () => {
  it('connects again by itself (socket.io alone would stay down)', async () => {
    const s = connect(url, { transports: ['websocket'] })
    const stop = reconnectAfterServerDisconnect(s, { baseMs: 20, ended: () => false })
    await connected(s)
    const before = connections
    const gone = dropped(s)
    io.local.disconnectSockets(true)
    expect(await gone).toBe('io server disconnect')
    await connected(s)
    expect(s.connected).toBe(true)
    expect(connections).toBe(before + 1)
    stop()
    s.close()
  })

  it('backs off (doubling, capped) while reconnections do not last, and not at all once the session ended', async () => {
    const waits: number[] = []
    let ended = false
    const s = connect(url, { transports: ['websocket'] })
    reconnectAfterServerDisconnect(s, {
      baseMs: 1000, maxMs: 8000, ended: () => ended,
      // the waits are recorded and the reconnect run at once: five drops in a row
      schedule: (run, ms) => (waits.push(ms), setTimeout(run, 0)),
    })
    for (let i = 0; i < 5; i++) {
      await connected(s)
      const gone = dropped(s)
      io.local.disconnectSockets(true)
      await gone
    }
    await connected(s)
    expect(waits).toHaveLength(5)
    const nominal = [1000, 2000, 4000, 8000, 8000]
    waits.forEach((w, i) => expect(w / nominal[i]).toBeGreaterThanOrEqual(0.8))
    waits.forEach((w, i) => expect(w / nominal[i]).toBeLessThanOrEqual(1.2))
    // sessionEnded came first: the app goes to sign-in, the socket is not tried again
    ended = true
    const gone = dropped(s)
    io.local.disconnectSockets(true)
    await gone
    expect(waits).toHaveLength(5)
    expect(s.connected).toBe(false)
    s.close()
  })
})
