import gcoord from 'gcoord'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../../test/app.ts'
import { Jt808Terminal, simulatedUnit } from './terminal-client.ts'
import type { LocationInput } from './terminal-codec.ts'
import { encodeFrame } from './frame.ts'
import { encodeHeader, type Edition } from './header.ts'
import { MsgId } from './ids.ts'
import { PlatformResult, RegistrationResult } from './messages.ts'
import { StatusBit } from './location.ts'

let t: TestApp
let port: number
const IDLE_MS = 6000
beforeAll(async () => {
  t = await openTestApp({ jt808: { port: 0, host: '127.0.0.1', idleTimeoutMs: IDLE_MS, locateTimeoutMs: 1000 } })
  port = t.app.jt808!.port
  const bind = async (phone: string, vehicleId: number, crs = 'wgs84') => {
    const res = await t.as('admin', { method: 'POST', url: '/api/terminals', payload: { phone, vehicleId, protocol: 'jt808', crs, ...simulatedUnit(phone) } })
    expect(res.statusCode).toBe(201)
  }
  await bind(OLD, 1)
  await bind(NEW, 2)
  await bind(GCJ, 3, 'gcj02')
  await bind('013800000004', 4)
  await bind('013800000005', 5)
  await bind('013800000006', 6)
})
afterAll(async () => t?.close())

const OLD = '013800000001' // a 2013 terminal: 12 digits
const NEW = '00000000013800000002' // a 2019 terminal: 20 digits, leading zeros as sent
const GCJ = '013800000003' // a vendor that sends GCJ-02
const POSITIONED = 1 << StatusBit.positioned
const secondsAgo = (s: number) => new Date(Math.floor(Date.now() / 1000 - s) * 1000).toISOString()
const fix = (s: number, over: Partial<LocationInput> = {}): LocationInput => ({
  status: POSITIONED, lat: 35.1, lon: 117.39, speedKmh: 23.4, direction: 91, time: secondsAgo(s), extras: { mileageKm: 1234.5, gnssSatellites: 11 }, ...over,
})

async function terminal(phone: string, edition: Edition): Promise<Jt808Terminal> {
  const term = new Jt808Terminal({ host: '127.0.0.1', port, phone, edition, replyTimeoutMs: 5000 })
  await term.connect()
  return term
}
const rows = async (vehicleId: number) =>
  (await t.db.query<{ time: Date; lon: number; lat: number; speed_kmh: number; heading: number }>(
    'SELECT time, ST_X(geom) AS lon, ST_Y(geom) AS lat, speed_kmh, heading FROM vehicle_positions WHERE vehicle_id = $1 ORDER BY time', [vehicleId])).rows
const until = async (pred: () => boolean | Promise<boolean>, what: string, ms = 5000) => {
  const end = Date.now() + ms
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('JT/T 808 gateway', () => {
  it('refuses registration of an unknown terminal with result 4', async () => {
    const stranger = await terminal('019999999999', 2013)
    const reply = await stranger.register()
    expect(reply.result).toBe(RegistrationResult.terminalUnknown)
    expect(reply.authCode).toBeUndefined()
    stranger.close()
  })

  it('registers, authenticates and stores a 2013 terminal\'s location report through the ingest', async () => {
    const term = await terminal(OLD, 2013)
    // nothing is taken before authentication
    expect((await term.report(fix(30))).result).toBe(PlatformResult.failure)
    expect(await rows(1)).toHaveLength(0)
    expect((await term.authenticate('not-the-code')).result).toBe(PlatformResult.failure)
    await term.login()
    const sent = fix(20)
    expect((await term.report(sent)).result).toBe(PlatformResult.ok)
    // the 0x8001 came after the commit: the fix is there already
    const stored = await rows(1)
    expect(stored).toHaveLength(1)
    expect(stored[0]).toMatchObject({ lon: 117.39, lat: 35.1, heading: 91 })
    expect(stored[0].speed_kmh).toBeCloseTo(23.4, 3)
    expect(new Date(stored[0].time).toISOString()).toBe(sent.time)
    // a fix without a position (receiver not positioned) is answered and not stored
    expect((await term.report(fix(10, { status: 0, lat: 0, lon: 0 }))).result).toBe(PlatformResult.ok)
    expect(await rows(1)).toHaveLength(1)
    const listed = (await t.as('admin', '/api/terminals')).json() as { phone: string; registeredAt: string | null; device: { model?: string } }[]
    expect(listed.find((x) => x.phone === OLD)).toMatchObject({ device: { model: 'SIM-808' } })
    expect(listed.find((x) => x.phone === OLD)!.registeredAt).not.toBeNull()
    term.close()
  })

  it('takes a 2019 terminal\'s blind-zone batch (0x0704, subpackaged) once, however often it is resent', async () => {
    const term = await terminal(NEW, 2019)
    await term.login()
    const held = Array.from({ length: 60 }, (_, i) => fix(600 - i * 5, { lon: 117.39 + i * 1e-4 }))
    for (let round = 0; round < 2; round++) expect((await term.reportBatch(held)).result).toBe(PlatformResult.ok)
    const stored = await rows(2)
    expect(stored).toHaveLength(60)
    expect(stored.map((r) => new Date(r.time).toISOString())).toEqual(held.map((h) => h.time))
    // a time the ingest refuses (in the future): a message error, nothing stored
    expect((await term.report(fix(-3600))).result).toBe(PlatformResult.messageError)
    expect(await rows(2)).toHaveLength(60)
    term.close()
  })

  it('converts the positions of a terminal bound as GCJ-02', async () => {
    const term = await terminal(GCJ, 2013)
    await term.login()
    expect((await term.report(fix(5))).result).toBe(PlatformResult.ok)
    const [lon, lat] = gcoord.transform([117.39, 35.1], gcoord.GCJ02, gcoord.WGS84) as [number, number]
    const [stored] = await rows(3)
    expect(stored.lon).toBeCloseTo(lon, 6)
    expect(stored.lat).toBeCloseTo(lat, 6)
    term.close()
  })

  it('drops malformed frames with the connection still serving', async () => {
    const term = await terminal('013800000004', 2013)
    await term.login()
    const heartbeat = encodeHeader({ msgId: MsgId.heartbeat, edition: 2013, phone: '013800000004', serial: 900 }, 0)
    const good = encodeFrame(heartbeat)
    const badCheck = Buffer.from(good)
    badCheck[badCheck.length - 2] ^= 0xff
    const badEscape = Buffer.concat([Buffer.of(0x7e), heartbeat, Buffer.of(0x7d, 0x05, 0x7e)])
    const truncated = good.subarray(0, 6)
    const wrongLength = Buffer.from(heartbeat)
    wrongLength.writeUInt16BE(5, 2) // says 5 body bytes, has none
    const oversized = Buffer.concat([Buffer.of(0x7e), Buffer.alloc(5000, 0x11), Buffer.of(0x7e)])
    for (const bad of [badCheck, badEscape, Buffer.concat([truncated, Buffer.of(0x7e)]), encodeFrame(wrongLength), oversized, Buffer.from('GET / HTTP/1.1\r\n\r\n')]) {
      term.writeRaw(bad)
    }
    expect((await term.heartbeat()).result).toBe(PlatformResult.ok)
    expect((await term.report(fix(3))).result).toBe(PlatformResult.ok)
    term.close()
  })

  it('sends a dispatch order to the truck as a text message and answers a location query', async () => {
    const term = await terminal('013800000005', 2013)
    await term.login()
    term.whereAmI = () => fix(1, { lon: 117.401, lat: 35.102 })
    const cp = (await t.db.query<{ id: number; name: string }>('SELECT id, name FROM collection_points ORDER BY id LIMIT 1')).rows[0]
    const order = await t.as('dispatcher', { method: 'POST', url: '/api/vehicles/5/dispatch', payload: { collectionPointId: cp.id, note: '满溢' } })
    expect(order.statusCode).toBe(201)
    await until(() => term.texts.length > 0, 'the 0x8300 text')
    expect(term.texts[0].text).toBe(`调度指令: 请前往${cp.name}收运，满溢`)

    const located = await t.as('dispatcher', { method: 'POST', url: '/api/terminals/013800000005/locate' })
    expect(located.statusCode).toBe(200)
    expect(located.json()).toMatchObject({ phone: '013800000005', lon: 117.401, lat: 35.102, positioned: true })
    // the answer is stored like any fix
    await until(async () => (await rows(5)).some((r) => r.lon === 117.401), 'the located fix stored')
    expect((await t.as('dispatcher', { method: 'POST', url: '/api/terminals/013800000099/locate' })).statusCode).toBe(409)
    // a terminal that does not answer: a 504 that says so
    term.whereAmI = null
    const silent = await t.as('dispatcher', { method: 'POST', url: '/api/terminals/013800000005/locate' })
    expect(silent.statusCode).toBe(504)
    expect(silent.json()).toEqual({ statusCode: 504, error: 'Gateway Timeout', code: 'timeout', message: 'terminal 013800000005 did not answer within 1 s' })
    expect((await t.as('display', { method: 'POST', url: '/api/terminals/013800000005/locate' })).statusCode).toBe(403)
    term.close()
  })

  it('closes the connection on logout (the auth code is void), on unbinding, and when idle', async () => {
    const term = await terminal('013800000006', 2013)
    await term.login()
    const code = term.authCode!
    let closed = false
    term.onClose = () => (closed = true)
    expect((await term.logout()).result).toBe(PlatformResult.ok)
    await until(() => closed, 'close after logout')
    const again = await terminal('013800000006', 2013)
    expect((await again.authenticate(code)).result).toBe(PlatformResult.failure)
    await again.login() // registers anew
    let unbound = false
    again.onClose = () => (unbound = true)
    expect((await t.as('admin', { method: 'DELETE', url: '/api/terminals/013800000006' })).statusCode).toBe(204)
    await until(() => unbound, 'close after unbinding')

    const idle = await terminal(OLD, 2013)
    let idleClosed = false
    idle.onClose = () => (idleClosed = true)
    const opened = Date.now()
    await until(() => idleClosed, 'idle timeout', IDLE_MS + 4000)
    expect(Date.now() - opened).toBeGreaterThanOrEqual(IDLE_MS - 100)
    await until(() => t.app.jt808!.connections() === 0, 'no connection left')
  })
})
