/**
 * The fleet functions end to end: REST → gateway → a terminal (terminal-fleet.ts) over TCP →
 * stored photo, alert, parameters. Lost packets, the emergency button and its confirmation.
 */
import sharp from 'sharp'
import { io as connect } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { VehicleAlert, VehicleMedia } from '../../../geo/vehicles.ts'
import { openTestApp, type TestApp } from '../../test/app.ts'
import { Jt808Terminal, simulatedUnit } from './terminal-client.ts'
import { FleetTerminal, type FleetTerminalOptions } from './terminal-fleet.ts'
import { AlarmBit, StatusBit } from './location.ts'
import { MediaEvent } from './media.ts'
import type { Edition } from './header.ts'
import { RESEND } from './fleet-link.ts'

let t: TestApp
let port: number
let url: string
const PHONES: Record<number, string> = { 1: '013900000001', 2: '00000000013900000002', 3: '013900000003', 4: '013900000004' }
beforeAll(async () => {
  t = await openTestApp({ jt808: { port: 0, host: '127.0.0.1', sweepMs: 200 }, snapshotTimeoutMs: 8000, terminalCommandTimeoutMs: 3000 })
  port = t.app.jt808!.port
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`
  for (const [vehicleId, phone] of Object.entries(PHONES)) {
    const res = await t.as('admin', { method: 'POST', url: '/api/terminals', payload: { phone, vehicleId: Number(vehicleId), protocol: 'jt808', ...simulatedUnit(phone) } })
    expect(res.statusCode).toBe(201)
  }
})
afterAll(async () => t?.close())

const POSITIONED = 1 << StatusBit.positioned
const here = () => ({ status: POSITIONED, lat: 35.1, lon: 117.39, speedKmh: 12, direction: 90, time: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString() })
/** a photo with EXIF that must not survive (a camera's make) */
const camera = async (channel: number) =>
  sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 40, g: 90 + channel, b: 160 } } })
    .composite([{ input: Buffer.from(`<svg width="640" height="480"><text x="20" y="60" font-size="40" fill="white">CH${channel}</text></svg>`) }])
    .jpeg({ quality: 90 }).withExif({ IFD0: { Make: 'SZWG-SECRET-CAMERA' } }).toBuffer()

/** auth codes kept across connections, as a terminal keeps its code in flash */
const codes = new Map<string, string>()
async function truck(vehicleId: number, edition: Edition, opts: Partial<FleetTerminalOptions> = {}) {
  const phone = PHONES[vehicleId]
  const term = new Jt808Terminal({ host: '127.0.0.1', port, phone, edition, replyTimeoutMs: 5000, authCode: codes.get(phone) })
  await term.connect()
  await term.login()
  codes.set(phone, term.authCode!)
  const fleet = new FleetTerminal(term, { camera, whereAmI: here, ...opts })
  await term.report({ ...here(), alarm: fleet.alarm })
  return { term, fleet }
}
const until = async (pred: () => boolean | Promise<boolean>, what: string, ms = 5000) => {
  const end = Date.now() + ms
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('拍照: camera snapshots over JT/T 808', () => {
  it('a snapshot whose second packet is lost is completed through 0x8800 (the platform lists packet 2, the terminal resends it)', async () => {
    const { term, fleet } = await truck(1, 2013, { dropPackets: [2], packetBytes: 900 })
    const res = await t.as('dispatcher', { method: 'POST', url: '/api/vehicles/1/snapshot', payload: { channel: 2 } })
    expect(res.statusCode, res.body).toBe(201)
    const media = res.json() as VehicleMedia
    expect(media).toMatchObject({ vehicleId: 1, channel: 2, event: MediaEvent.platformCommand, alertId: null })
    expect(media.lon).toBeCloseTo(117.39, 5)
    expect(fleet.stats.resent).toBe(1)
    // listed newest first; the picture is re-encoded without the camera's EXIF
    const list = await t.as('dispatcher', '/api/vehicles/1/media')
    expect(list.json()[0]).toEqual(media)
    const photo = await t.as('dispatcher', media.url)
    expect(photo.statusCode).toBe(200)
    expect(photo.rawPayload.includes(Buffer.from('SZWG-SECRET-CAMERA'))).toBe(false)
    expect((await sharp(photo.rawPayload).metadata()).width).toBe(640)
    // the wall sees it too; a grid worker of a village the truck does not serve does not
    expect((await t.as('display', media.thumbUrl)).statusCode).toBe(200)
    expect((await t.as('leader', '/api/vehicles/1/media')).statusCode).toBe(200)
    expect((await t.as('display', { method: 'POST', url: '/api/vehicles/1/snapshot', payload: {} })).statusCode).toBe(403)
    term.close()
  })

  it('a snapshot whose last packet is lost is asked for with 0x8003 after the upload stalls (2019)', async () => {
    const { term, fleet } = await truck(2, 2019, { packetBytes: 700, dropPackets: [] })
    fleet.opts.dropPackets = [await camera(1).then((b) => Math.ceil((b.length + 36) / 700))]
    const started = Date.now()
    const res = await t.as('dispatcher', { method: 'POST', url: '/api/vehicles/2/snapshot', payload: {} })
    expect(res.statusCode, res.body).toBe(201)
    expect(fleet.stats.resent).toBe(1)
    expect(Date.now() - started).toBeGreaterThanOrEqual(RESEND.afterMs)
    term.close()
  })

  it('answers 502 when the terminal has no camera there, 409 when it is not connected, 404 for an unknown truck', async () => {
    const { term } = await truck(3, 2013, { camera: async () => null })
    const none = await t.as('dispatcher', { method: 'POST', url: '/api/vehicles/3/snapshot', payload: { channel: 9 } })
    expect(none.statusCode).toBe(502)
    expect(none.json().message).toMatch(/no camera on channel 9/)
    term.close()
    await until(() => !t.app.jt808!.session(PHONES[3]), 'the session to end')
    const away = await t.as('dispatcher', { method: 'POST', url: '/api/vehicles/3/snapshot', payload: {} })
    expect(away.statusCode).toBe(409)
    expect(away.json().message).toMatch(/not connected/)
    expect((await t.as('dispatcher', { method: 'POST', url: '/api/vehicles/9999/snapshot', payload: {} })).statusCode).toBe(404)
    expect((await t.as('dispatcher', { method: 'POST', url: '/api/vehicles/5/snapshot', payload: {} })).statusCode).toBe(409)
  })
})

describe('emergency alarm (紧急报警)', () => {
  it('reaches a socket client within 1 s, is acknowledged, and the terminal gets 0x8203 and clears it', async () => {
    const { term, fleet } = await truck(4, 2013)
    const socket = connect(url, { auth: { token: await t.token('dispatcher') }, transports: ['websocket'], reconnection: false })
    const heard: { at: number; alert: VehicleAlert }[] = []
    socket.on('alerts', (alerts: VehicleAlert[]) => { for (const a of alerts) heard.push({ at: Date.now(), alert: a }) })
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()))
    await new Promise((r) => socket.emit('subscribe', { scope: 'town' }, r))

    const pressed = Date.now()
    await fleet.pressEmergency()
    await until(() => heard.some((h) => h.alert.kind === 'emergency'), 'the emergency on the socket', 2000)
    const raised = heard.find((h) => h.alert.kind === 'emergency')!
    expect(raised.at - pressed).toBeLessThan(1000)
    expect(raised.alert).toMatchObject({ vehicleId: 4, state: 'open', endedAt: null })

    // the terminal's own photo with the alarm goes with the alert
    await fleet.upload(1, MediaEvent.robberyAlarm)
    await until(async () => (await t.as('dispatcher', '/api/vehicles/4/media')).json().length === 1, 'the alarm photo')
    expect((await t.as('dispatcher', '/api/vehicles/4/media')).json()[0]).toMatchObject({ alertId: raised.alert.id, event: MediaEvent.robberyAlarm })

    const ack = await t.as('dispatcher', { method: 'POST', url: `/api/vehicles/alerts/${raised.alert.id}/acknowledge` })
    expect(ack.statusCode).toBe(200)
    await until(() => fleet.stats.confirmations === 1, '0x8203 at the terminal')
    expect(fleet.emergency).toBe(false)
    // the next report has the bit clear: the condition ends
    await term.report({ ...here(), alarm: fleet.alarm })
    await until(() => heard.some((h) => h.alert.id === raised.alert.id && h.alert.endedAt !== null), 'the alert to end')

    // a cut GNSS antenna and main power: a device fault
    const faults = (1 << AlarmBit.gnssAntennaDisconnected) | (1 << AlarmBit.mainPowerOff)
    await term.report({ ...here(), alarm: faults })
    await until(() => heard.some((h) => h.alert.kind === 'deviceFault'), 'the device fault')
    expect(heard.find((h) => h.alert.kind === 'deviceFault')!.alert.message).toBe('GNSS 天线未接或被剪断、终端主电源掉电')
    socket.close()
    term.close()
  })
})

describe('terminal parameters and 加密跟踪', () => {
  it('reads parameters back after a write; refuses values out of range; tracks a truck for a while', async () => {
    const tracked: unknown[] = []
    const { term } = await truck(1, 2013, { onTracking: (x) => tracked.push(x) })
    const phone = PHONES[1]
    const before = await t.as('dispatcher', `/api/terminals/${phone}/parameters`)
    expect(before.json()).toEqual({ phone, parameters: { heartbeatS: 60, defaultReportIntervalS: 30, sleepReportIntervalS: 300, maxSpeedKmh: 60, overspeedDurationS: 10 } })
    const put = await t.as('admin', { method: 'PUT', url: `/api/terminals/${phone}/parameters`, payload: { defaultReportIntervalS: 15, maxSpeedKmh: 50 } })
    expect(put.statusCode, put.body).toBe(200)
    expect(put.json().parameters).toMatchObject({ defaultReportIntervalS: 15, maxSpeedKmh: 50, heartbeatS: 60 })
    const bad = await t.as('admin', { method: 'PUT', url: `/api/terminals/${phone}/parameters`, payload: { heartbeatS: 0 } })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().message).toMatch(/heartbeatS/)
    expect((await t.as('admin', { method: 'PUT', url: `/api/terminals/${phone}/parameters`, payload: {} })).statusCode).toBe(400)
    expect((await t.as('display', `/api/terminals/${phone}/parameters`)).statusCode).toBe(403)
    // the whole fleet: the connected truck takes it, the others are listed as not connected
    const all = await t.as('admin', { method: 'PUT', url: '/api/terminals/parameters', payload: { heartbeatS: 90 } })
    expect(all.statusCode).toBe(200)
    const results = all.json().results as { phone: string; ok: boolean; message?: string }[]
    expect(results.find((r) => r.phone === phone)).toEqual({ phone, ok: true })
    expect(results.filter((r) => !r.ok).every((r) => /not connected/.test(r.message!))).toBe(true)

    const track = await t.as('dispatcher', { method: 'POST', url: '/api/vehicles/1/tracking', payload: { intervalS: 5, minutes: 10 } })
    expect(track.statusCode, track.body).toBe(200)
    expect(tracked).toEqual([{ intervalS: 5, validityS: 600 }])
    term.close()
  })
})
