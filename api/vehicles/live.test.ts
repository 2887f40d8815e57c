import { io as connect, type Socket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import type { PositionInput, VehicleAlert, VehicleDispatch, VehiclePosition } from '../../geo/vehicles.ts'

// Real socket.io clients against the real server on a port: scope filtering, coalescing,
// catch-up on (re)subscribe, refusals, alerts pushed.
let t: TestApp
let url: string
let villages: { id: number; lon: number; lat: number }[]
const TICK = 300
const MAX_BUFFERED = 3
beforeAll(async () => {
  t = await openTestApp({ vehicles: { tickMs: TICK, maxBufferedPackets: MAX_BUFFERED } })
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`
  villages = (
    await t.db.query<{ id: number; lon: number; lat: number }>(
      'SELECT id, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM villages ORDER BY id LIMIT 3',
    )
  ).rows
})
afterAll(async () => t?.close())

interface Client {
  socket: Socket
  batches: VehiclePosition[][]
  alerts: VehicleAlert[]
  dispatches: VehicleDispatch[]
  subscribe(scope: string): Promise<{ ok: boolean; error?: string; vehicles?: number }>
  close(): void
}

async function client(username: string): Promise<Client> {
  const socket = connect(url, { auth: { token: await t.token(username) }, transports: ['websocket'], reconnection: false })
  const c: Client = {
    socket,
    batches: [],
    alerts: [],
    dispatches: [],
    subscribe: (scope) => socket.timeout(5000).emitWithAck('subscribe', { scope }),
    close: () => socket.close(),
  }
  socket.on('positions', (batch: VehiclePosition[]) => c.batches.push(batch))
  socket.on('alerts', (list: VehicleAlert[]) => c.alerts.push(...list))
  socket.on('dispatch', (d: VehicleDispatch) => c.dispatches.push(d))
  await new Promise<void>((resolve, reject) => {
    socket.on('hello', () => resolve())
    socket.on('connect_error', reject)
  })
  return c
}

const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString()
const at = (v: { lon: number; lat: number }, vehicleId: number, secondsAgo: number, over: Partial<PositionInput> = {}): PositionInput => ({
  vehicleId, time: ago(secondsAgo), lon: v.lon, lat: v.lat, speedKmh: 25, heading: 180, ...over,
})
const ingest = async (positions: PositionInput[]) => {
  const res = await t.as('device', { method: 'POST', url: '/api/vehicles/positions', payload: { positions } })
  expect(res.statusCode).toBe(202)
}
const until = async (pred: () => boolean, what: string, ms = 5000) => {
  const end = Date.now() + ms
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const seen = (c: Client, vehicleId: number) => c.batches.flat().filter((p) => p.vehicleId === vehicleId)

describe('live positions over socket.io', () => {
  it('sends each subscriber only the vehicles in its scope', async () => {
    const [a, b] = villages
    const town = await client('display')
    const villageA = await client('dispatcher')
    const bbox = await client('leader')
    expect(await town.subscribe('town')).toMatchObject({ ok: true })
    expect(await villageA.subscribe(`village:${a.id}`)).toMatchObject({ ok: true })
    const d = 0.0005
    expect(await bbox.subscribe(`bbox:${b.lon - d},${b.lat - d},${b.lon + d},${b.lat + d}`)).toMatchObject({ ok: true })
    await ingest([at(a, 1, 3), at(b, 2, 3)])
    await until(() => seen(town, 1).length > 0 && seen(town, 2).length > 0, 'town to see both')
    await until(() => seen(villageA, 1).length > 0 && seen(bbox, 2).length > 0, 'scoped clients')
    await sleep(TICK * 2)
    expect(seen(villageA, 2)).toHaveLength(0)
    expect(seen(bbox, 1)).toHaveLength(0)
    const p = seen(town, 1).at(-1)!
    expect(Object.keys(p).sort()).toEqual(['heading', 'lat', 'lon', 'speedKmh', 'time', 'vehicleId'])
    for (const c of [town, villageA, bbox]) c.close()
  })

  it('coalesces many fixes of one vehicle within a tick into its newest', async () => {
    const c = await client('display')
    await c.subscribe('town')
    c.batches.length = 0
    const v = villages[0]
    // ten fixes in ten requests, all inside one or two ticks
    const times = Array.from({ length: 10 }, (_, i) => 40 - i)
    await Promise.all(times.map((s, i) => ingest([at({ lon: v.lon + i * 1e-5, lat: v.lat }, 3, s)])))
    await sleep(TICK * 3)
    const fixes = seen(c, 3)
    expect(fixes.length).toBeGreaterThan(0)
    expect(fixes.length).toBeLessThan(10)
    for (const batch of c.batches) expect(new Set(batch.map((p) => p.vehicleId)).size).toBe(batch.length)
    const newest = await t.db.query<{ time: Date }>('SELECT time FROM vehicle_latest WHERE vehicle_id = 3')
    expect(fixes.at(-1)!.time).toBe(new Date(newest.rows[0].time).toISOString())
    c.close()
  })

  it('gives a (re)subscribing client the current state at once', async () => {
    const v = villages[1]
    await ingest([at(v, 4, 2)])
    await sleep(TICK * 2)
    const late = await client('dispatcher')
    const ack = await late.subscribe('town')
    expect(ack.ok).toBe(true)
    await until(() => late.batches.length > 0, 'snapshot')
    const snapshot = late.batches[0]
    expect(snapshot.length).toBe(ack.vehicles)
    expect(snapshot.find((p) => p.vehicleId === 4)).toMatchObject({ lon: expect.closeTo(v.lon, 6), lat: expect.closeTo(v.lat, 6) })
    // disconnect, miss a move, reconnect: the new socket starts from the moved position
    late.close()
    await ingest([at({ lon: v.lon + 0.001, lat: v.lat }, 4, 1)])
    const again = await client('dispatcher')
    await again.subscribe(`village:${v.id}`)
    await until(() => again.batches.length > 0, 'snapshot after reconnect')
    expect(again.batches[0].find((p) => p.vehicleId === 4)?.lon).toBeCloseTo(v.lon + 0.001, 6)
    again.close()
  })

  it('skips a client that does not read, holds nothing for it, and catches it up with one snapshot', async () => {
    const slow = await client('display')
    await slow.subscribe('town')
    const server = t.app.io.of('/').sockets.get(slow.socket.id!)!
    const pending = () => (server.conn as unknown as { writeBuffer: { data?: unknown }[] }).writeBuffer
    const positionPackets = () => pending().filter((p) => JSON.stringify(p).includes('positions')).length
    // The client stops reading; 24 MB of filler fills the kernel's buffers between us.
    const raw = (slow.socket.io.engine.transport as unknown as { ws: { _socket: import('node:net').Socket } }).ws._socket
    raw.pause()
    const filler = 'x'.repeat(1 << 20)
    for (let i = 0; i < 24; i++) server.emit('filler', filler)
    await until(() => pending().length > 0, 'the pipe to fill')
    const v = villages[0]
    for (let i = 0; i < 12; i++) {
      await ingest([at({ lon: v.lon + i * 1e-5, lat: v.lat }, 7, 30 - i)])
      await sleep(TICK / 2)
    }
    // bounded: at most the threshold + 1 batches wait for it, however many moves happen
    expect(positionPackets()).toBeGreaterThan(0)
    expect(positionPackets()).toBeLessThanOrEqual(MAX_BUFFERED + 1)
    const before = slow.batches.length
    raw.resume()
    const newest = new Date((await t.db.query<{ time: Date }>('SELECT time FROM vehicle_latest WHERE vehicle_id = 7')).rows[0].time).toISOString()
    await until(() => slow.batches.slice(before).some((b) => b.some((p) => p.vehicleId === 7 && p.time >= newest)), 'catch-up snapshot', 20_000)
    // it got the state, not the history: the buffered batches and one snapshot, not the 12 moves
    expect(slow.batches.length - before).toBeLessThanOrEqual(MAX_BUFFERED + 2)
    slow.close()
  })

  it('rations subscriptions: a burst of 500 earns a handful of snapshots, not 500', async () => {
    const c = await client('display')
    const answers = await Promise.all(Array.from({ length: 500 }, () => c.subscribe('town')))
    const ok = answers.filter((a) => a.ok).length
    expect(ok).toBeGreaterThan(0)
    expect(ok).toBeLessThanOrEqual(12)
    expect(answers.find((a) => !a.ok)?.error).toMatch(/too many subscriptions/)
    await new Promise((r) => setTimeout(r, TICK * 3))
    expect(c.batches.length).toBeLessThanOrEqual(ok + 3)
    // the ration refills: a patient client is served again
    await new Promise((r) => setTimeout(r, 1200))
    expect((await c.subscribe('town')).ok).toBe(true)
    c.close()
  })

  it('refuses scopes that are malformed or outside the user', async () => {
    const cadre = await client('cadre-1')
    expect(await cadre.subscribe('town')).toMatchObject({ ok: false, error: expect.stringMatching(/outside your scope/) })
    expect(await cadre.subscribe('village:2')).toMatchObject({ ok: false })
    expect(await cadre.subscribe('village:1')).toMatchObject({ ok: true })
    expect(await cadre.subscribe('bbox:1,2,3')).toMatchObject({ ok: false, error: expect.stringMatching(/scope must be/) })
    cadre.close()
    const display = await client('display')
    for (const bad of [null, 42, { scope: 'bbox:10,10,5,5' }, { scope: 'x'.repeat(10_000) }]) {
      expect(await display.socket.timeout(5000).emitWithAck('subscribe', bad)).toMatchObject({ ok: false })
    }
    display.close()
    // a vehicle terminal may send positions but follows nothing
    const device = await client('device')
    device.socket.emit('subscribe', { scope: 'town' })
    await ingest([at(villages[0], 5, 1)])
    await sleep(TICK * 2)
    expect(device.batches).toHaveLength(0)
    device.close()
  })

  it('pushes alerts to dispatchers as they are raised', async () => {
    const d = await client('dispatcher')
    await ingest([at(villages[2], 6, 2, { speedKmh: 95 })])
    await until(() => d.alerts.some((a) => a.vehicleId === 6 && a.kind === 'overspeed'), 'overspeed alert')
    const alert = d.alerts.find((a) => a.vehicleId === 6)!
    expect(alert.plate).toMatch(/^鲁/)
    expect(alert.villageId).toBe(villages[2].id)
    d.close()
  })

  it('pushes a dispatch order to the trucks and the screens, and closes it when the truck stands there', async () => {
    const device = await client('device')
    const screen = await client('dispatcher')
    const cp = (await t.db.query<{ id: number; lon: number; lat: number }>(
      'SELECT id, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM collection_points ORDER BY id LIMIT 1',
    )).rows[0]
    const send = (user: string, body: unknown, vehicleId = 9) =>
      t.as(user, { method: 'POST', url: `/api/vehicles/${vehicleId}/dispatch`, payload: body as Record<string, unknown> })
    expect((await send('display', { collectionPointId: cp.id })).statusCode).toBe(403)
    expect((await send('dispatcher', { collectionPointId: 999_999 })).json().message).toMatch(/collectionPointId/)
    expect((await send('dispatcher', { collectionPointId: cp.id }, 999_999)).statusCode).toBe(404)
    const first = await send('dispatcher', { collectionPointId: cp.id, note: '满溢' })
    expect(first.statusCode).toBe(201)
    const order = first.json() as VehicleDispatch
    expect(order).toMatchObject({ vehicleId: 9, collectionPointId: cp.id, state: 'sent', note: '满溢', createdBy: 'dispatcher' })
    await until(() => device.dispatches.some((d) => d.id === order.id) && screen.dispatches.some((d) => d.id === order.id), 'order pushed')

    // the truck drives past without stopping: still under way; then it stands at the point
    await ingest([at(cp, 9, 20, { speedKmh: 30 })])
    await sleep(TICK)
    expect(device.dispatches.filter((d) => d.id === order.id).map((d) => d.state)).toEqual(['sent'])
    await ingest([at(cp, 9, 10, { speedKmh: 0 })])
    await until(() => screen.dispatches.some((d) => d.id === order.id && d.state === 'arrived'), 'arrival')
    const cancel = await t.as('dispatcher', { method: 'POST', url: `/api/vehicles/dispatches/${order.id}/cancel` })
    expect(cancel.statusCode).toBe(409)

    // a new order replaces one still under way
    const a = (await send('dispatcher', { collectionPointId: cp.id })).json() as VehicleDispatch
    const b = (await send('dispatcher', { collectionPointId: cp.id })).json() as VehicleDispatch
    const list = (await t.as('dispatcher', '/api/vehicles/dispatches?active=0')).json() as VehicleDispatch[]
    expect(list.find((d) => d.id === a.id)?.state).toBe('cancelled')
    expect(list.find((d) => d.id === b.id)?.state).toBe('sent')
    expect((await t.as('dispatcher', { method: 'POST', url: `/api/vehicles/dispatches/${b.id}/cancel` })).json().state).toBe('cancelled')
    device.close()
    screen.close()
  })
})
