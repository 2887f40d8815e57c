// Registration as the standard intends: a terminal registers once in its life and keeps its
// auth code, so a second registration of a registered terminal (anyone who can reach the port)
// is refused with result 3 until an admin resets it; the real truck keeps its connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../../test/app.ts'
import { AlreadyRegisteredError, Jt808Terminal, simulatedUnit, type TerminalOptions } from './terminal-client.ts'
import type { LocationInput } from './terminal-codec.ts'
import { StatusBit } from './location.ts'
import { PlatformResult, RegistrationResult } from './messages.ts'

const REAL = '013800000001' // vehicle 1, a 2013 terminal
const DROPS = '00000000013800000002' // vehicle 2, a 2019 terminal
const LOST = '013800000003' // vehicle 3

let t: TestApp
let port: number
beforeAll(async () => {
  t = await openTestApp({ jt808: { port: 0, host: '127.0.0.1' } })
  port = t.app.jt808!.port
  for (const [phone, vehicleId] of [[REAL, 1], [DROPS, 2], [LOST, 3]] as const) {
    const res = await t.as('admin', { method: 'POST', url: '/api/terminals', payload: { phone, vehicleId, protocol: 'jt808', ...simulatedUnit(phone) } })
    expect(res.statusCode).toBe(201)
  }
})
afterAll(async () => t?.close())

const secondsAgo = (s: number) => new Date(Math.floor(Date.now() / 1000 - s) * 1000).toISOString()
const fix = (s: number): LocationInput => ({ status: 1 << StatusBit.positioned, lat: 35.1, lon: 117.39, speedKmh: 20, direction: 90, time: secondsAgo(s) })
async function terminal(phone: string, more: Partial<TerminalOptions> = {}): Promise<Jt808Terminal> {
  const term = new Jt808Terminal({ host: '127.0.0.1', port, phone, edition: phone.length === 20 ? 2019 : 2013, replyTimeoutMs: 5000, ...more })
  await term.connect()
  return term
}
const stored = async (vehicleId: number, time: string) =>
  (await t.db.query('SELECT 1 FROM vehicle_positions WHERE vehicle_id = $1 AND time = $2', [vehicleId, time])).rows.length === 1
const registered = async (phone: string) =>
  ((await t.as('admin', '/api/terminals')).json() as { phone: string; registered: boolean }[]).find((x) => x.phone === phone)!.registered
const until = async (pred: () => boolean, what: string, ms = 5000) => {
  const end = Date.now() + ms
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('JT/T 808 registration', () => {
  it('refuses a second registration of a signed-in terminal (result 3, no code): the real truck stays signed in until an admin resets it', async () => {
    const real = await terminal(REAL)
    await real.login()
    const code = real.authCode!
    const first = fix(30)
    expect((await real.report(first)).result).toBe(PlatformResult.ok)
    expect(await registered(REAL)).toBe(true)

    // someone else, from another address, registers the same terminal ID
    const stranger = await terminal(REAL, { localAddress: '127.0.0.2' })
    const reply = await stranger.register()
    expect(reply.result).toBe(RegistrationResult.terminalAlreadyRegistered)
    expect(reply.authCode).toBeUndefined()
    expect((await stranger.authenticate('0123456789abcdef')).result).toBe(PlatformResult.failure)
    stranger.close()

    // the real terminal's connection is open and still the one the gateway routes to
    expect(real.connected).toBe(true)
    expect(t.app.jt808!.session(REAL)?.socket.remoteAddress).toBe('127.0.0.1')
    const next = fix(20)
    expect((await real.report(next)).result).toBe(PlatformResult.ok)
    expect(await stored(1, next.time as string)).toBe(true)

    // the admin resets it (a replaced unit, a lost code): the connection goes, a registration succeeds
    let closed = false
    real.onClose = () => (closed = true)
    expect((await t.as('dispatcher', { method: 'POST', url: `/api/terminals/${REAL}/reset` })).statusCode).toBe(403)
    const reset = await t.as('admin', { method: 'POST', url: `/api/terminals/${REAL}/reset` })
    expect(reset.statusCode).toBe(200)
    expect(reset.json()).toMatchObject({ phone: REAL, vehicleId: 1, registered: false })
    await until(() => closed, 'the reset terminal\'s connection closed')
    // the truck comes back with its old code, which is void: it registers again, as a real one does
    const again = await terminal(REAL, { authCode: code })
    await again.login()
    expect(again.authCode).not.toBe(code)
    const after = fix(10)
    expect((await again.report(after)).result).toBe(PlatformResult.ok)
    expect(await stored(1, after.time as string)).toBe(true)
    expect(await registered(REAL)).toBe(true)
    // and it is final again
    const late = await terminal(REAL, { localAddress: '127.0.0.2' })
    expect((await late.register()).result).toBe(RegistrationResult.terminalAlreadyRegistered)
    late.close()
    again.close()
  })

  it('lets a terminal that signs in with its code replace its old connection (the truck after a network drop)', async () => {
    const before = await terminal(DROPS)
    await before.login()
    let closed = false
    before.onClose = () => (closed = true)
    const after = await terminal(DROPS, { authCode: before.authCode })
    await after.login()
    expect(after.authCode).toBe(before.authCode)
    await until(() => closed, 'the old connection replaced')
    expect((await after.report(fix(5))).result).toBe(PlatformResult.ok)
    // the client reports a refused registration as such
    const other = await terminal(DROPS, { localAddress: '127.0.0.2' })
    await expect(other.login()).rejects.toBeInstanceOf(AlreadyRegisteredError)
    other.close()
    after.close()
  })

  it('lets a terminal register again until it has signed in with its code (its registration reply was lost)', async () => {
    const term = await terminal(LOST)
    const lost = await term.register()
    expect(lost.result).toBe(RegistrationResult.ok)
    expect(await registered(LOST)).toBe(false)
    const again = await term.register()
    expect(again.result).toBe(RegistrationResult.ok)
    expect(again.authCode).not.toBe(lost.authCode)
    // the first code is void now; the second one signs in and makes the registration final
    expect((await term.authenticate(lost.authCode!)).result).toBe(PlatformResult.failure)
    expect((await term.authenticate(again.authCode!)).result).toBe(PlatformResult.ok)
    expect(await registered(LOST)).toBe(true)
    term.close()
  })
})
