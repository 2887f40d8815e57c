import gcoord from 'gcoord'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import type { PositionInput, VehicleAlert, VehicleSummary } from '../../geo/vehicles.ts'
import { AlertEngine, DEFAULT_ALERT_RULES } from './alerts.ts'

let t: TestApp
let inVillage: { villageId: number; lon: number; lat: number }
beforeAll(async () => {
  t = await openTestApp({ vehicles: { rules: { speedLimitKmh: 60, offlineAfterSeconds: 300, dwellMinutes: 15, offRouteMeters: 100_000, stopRadiusMeters: 80 } } })
  const r = await t.db.query<{ id: number; lon: number; lat: number }>(
    'SELECT id, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM villages ORDER BY id LIMIT 1',
  )
  inVillage = { villageId: r.rows[0].id, lon: r.rows[0].lon, lat: r.rows[0].lat }
})
afterAll(async () => t?.close())

const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString()
const fix = (over: Partial<PositionInput> = {}): PositionInput => ({
  vehicleId: 1, time: ago(60), lon: inVillage.lon, lat: inVillage.lat, speedKmh: 20, heading: 90, ...over,
})
const post = (positions: unknown, user = 'device', extra: Record<string, unknown> = {}) =>
  t.as(user, { method: 'POST', url: '/api/vehicles/positions', payload: { positions, ...extra } })
const stored = async (vehicleId: number) =>
  (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM vehicle_positions WHERE vehicle_id = $1', [vehicleId])).rows[0].n

describe('POST /api/vehicles/positions', () => {
  it('needs a token and an ingest role', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/vehicles/positions', payload: { positions: [fix()] } })).statusCode).toBe(401)
    expect((await post([fix()], 'display')).statusCode).toBe(403)
    expect((await post([fix()], 'leader')).statusCode).toBe(403)
  })

  it('stores a batch once: a resend is idempotent', async () => {
    const batch = [fix({ vehicleId: 2, time: ago(30) }), fix({ vehicleId: 2, time: ago(20) }), fix({ vehicleId: 2, time: ago(10) })]
    const first = await post(batch)
    expect(first.statusCode).toBe(202)
    expect(first.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [] })
    const again = await post(batch)
    expect(again.json()).toEqual({ accepted: 3, duplicates: 3, rejected: [] })
    expect(await stored(2)).toBe(3)
    const list = (await t.as('dispatcher', '/api/vehicles')).json() as VehicleSummary[]
    const v2 = list.find((v) => v.id === 2)!
    expect(v2.position?.time).toBe(batch[2].time)
    expect(v2.villageId).toBe(inVillage.villageId)
    expect(v2.status).toBe('moving')
    const driver = (await t.db.query<{ driver_name: string }>('SELECT driver_name FROM vehicles WHERE id = 2')).rows[0].driver_name
    expect(v2.driverName).toBe(driver)
    const onWall = ((await t.as('display', '/api/vehicles')).json() as VehicleSummary[]).find((v) => v.id === 2)!
    expect(onWall.driverName).not.toBe(driver)
    expect(onWall.driverName).toContain('*')
  })

  it('rejects bad fixes by index and field, and stores the valid rest', async () => {
    const before = await stored(3)
    const res = await post([
      fix({ vehicleId: 3, time: ago(50) }),
      fix({ vehicleId: 3, time: ago(49), lat: 95 }),
      fix({ vehicleId: 999_999, time: ago(48) }),
      fix({ vehicleId: 3, time: new Date(Date.now() + 3_600_000).toISOString() }),
      fix({ vehicleId: 3, time: ago(47), lon: 0, lat: 0 }),
      fix({ vehicleId: 3, time: 'yesterday' }),
    ])
    expect(res.statusCode).toBe(202)
    const body = res.json() as { accepted: number; rejected: { index: number; field: string; message: string }[] }
    expect(body.accepted).toBe(1)
    expect(body.rejected.map((r) => r.field)).toEqual([
      'positions/1/lat', 'positions/2/vehicleId', 'positions/3/time', 'positions/4/lat', 'positions/5/time',
    ])
    expect(body.rejected[1].message).toMatch(/not a known vehicle/)
    expect(await stored(3)).toBe(before + 1)
  })

  it('answers 400 naming the field when nothing in the batch is valid, and writes nothing', async () => {
    const before = await stored(4)
    const res = await post([fix({ vehicleId: 4, speedKmh: 900 })])
    expect(res.statusCode).toBe(400)
    expect(res.json().message).toMatch(/positions\/0\/speedKmh/)
    const typed = await post([{ ...fix({ vehicleId: 4 }), lon: 'east' }])
    expect(typed.statusCode).toBe(400)
    expect(typed.json().message).toMatch(/positions\/0\/lon/)
    expect((await post([])).statusCode).toBe(400)
    expect(await stored(4)).toBe(before)
  })

  it('stores out-of-order fixes in time order without moving the truck backwards', async () => {
    await post([fix({ vehicleId: 5, time: ago(10), lon: inVillage.lon + 0.001 })])
    await post([fix({ vehicleId: 5, time: ago(40), lon: inVillage.lon - 0.001 })])
    // the list's positions come from the live hub, which hears stored fixes through NOTIFY (so
    // every API process does): on a loaded machine that takes a moment after the 202
    const latest = async () => ((await t.as('dispatcher', '/api/vehicles')).json() as VehicleSummary[]).find((v) => v.id === 5)!.position
    for (const until = Date.now() + 10_000; (await latest()) === null && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100))
    await new Promise((r) => setTimeout(r, 300))
    expect((await latest())!.lon).toBeCloseTo(inVillage.lon + 0.001, 6)
    const track = await t.as('dispatcher', `/api/vehicles/5/track?from=${encodeURIComponent(ago(3600))}&to=${encodeURIComponent(ago(0))}`)
    expect(track.statusCode).toBe(200)
    const f = track.json()
    expect(f.geometry.type).toBe('LineString')
    expect(f.properties.times).toHaveLength(2)
    expect(f.properties.times[0]).toBeLessThan(f.properties.times[1])
    expect(f.geometry.coordinates[0][0]).toBeCloseTo(inVillage.lon - 0.001, 6)
  })

  it('converts GCJ-02 input to WGS-84 at the edge', async () => {
    const [gLon, gLat] = gcoord.transform([inVillage.lon, inVillage.lat], gcoord.WGS84, gcoord.GCJ02) as [number, number]
    const res = await post([fix({ vehicleId: 6, time: ago(5), lon: gLon, lat: gLat })], 'device', { crs: 'gcj02' })
    expect(res.statusCode).toBe(202)
    const r = await t.db.query<{ lon: number; lat: number; shift_m: number }>(
      `SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat, ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography) AS shift_m
       FROM vehicle_positions WHERE vehicle_id = 6`, [gLon, gLat],
    )
    // GCJ-02 shifts points in China by a few hundred metres; stored is back within a metre of the truth.
    expect(r.rows[0].shift_m).toBeGreaterThan(100)
    expect(r.rows[0].lon).toBeCloseTo(inVillage.lon, 5)
    expect(r.rows[0].lat).toBeCloseTo(inVillage.lat, 5)
  })
})

describe('track', () => {
  it('validates the time range and the vehicle', async () => {
    const bad = await t.as('dispatcher', `/api/vehicles/1/track?from=${encodeURIComponent(ago(0))}&to=${encodeURIComponent(ago(60))}`)
    expect(bad.statusCode).toBe(400)
    expect(bad.json().message).toMatch(/to must be after from/)
    expect((await t.as('dispatcher', '/api/vehicles/1/track?from=now&to=later')).json().message).toMatch(/querystring\/from/)
    expect((await t.as('dispatcher', `/api/vehicles/9999/track?from=${encodeURIComponent(ago(60))}&to=${encodeURIComponent(ago(0))}`)).statusCode).toBe(404)
    expect((await t.as('cadre-1', `/api/vehicles/1/track?from=${encodeURIComponent(ago(60))}&to=${encodeURIComponent(ago(0))}`)).statusCode).toBe(403)
  })

  it('simplifies on request and keeps each kept vertex its time', async () => {
    const line = Array.from({ length: 30 }, (_, i) => fix({ vehicleId: 7, time: ago(300 - i * 5), lon: inVillage.lon + i * 0.0002, lat: inVillage.lat + (i % 2) * 0.000001 }))
    expect((await post(line)).statusCode).toBe(202)
    const q = `from=${encodeURIComponent(ago(400))}&to=${encodeURIComponent(ago(0))}`
    const full = (await t.as('dispatcher', `/api/vehicles/7/track?${q}`)).json()
    const simple = (await t.as('dispatcher', `/api/vehicles/7/track?${q}&simplify=5`)).json()
    expect(full.geometry.coordinates).toHaveLength(30)
    expect(simple.geometry.coordinates.length).toBeLessThan(5)
    expect(simple.properties.times[0]).toBe(Date.parse(line[0].time))
    expect(simple.properties.times.at(-1)).toBe(Date.parse(line[29].time))
    expect(simple.properties.distanceKm).toBeCloseTo(full.properties.distanceKm, 1)
  })
})

describe('alerts', () => {
  const waitForAlert = async (pred: (a: VehicleAlert) => boolean) => {
    for (let i = 0; i < 100; i++) {
      const list = (await t.as('dispatcher', '/api/vehicles/alerts?view=all')).json() as VehicleAlert[]
      const hit = list.find(pred)
      if (hit) return hit
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error('alert never appeared')
  }

  it('raises overspeed once, ends it when the truck slows, and lets a dispatcher handle it', async () => {
    await post([fix({ vehicleId: 8, time: ago(30), speedKmh: 85 })])
    // judged before the next fix arrives (fixes waiting together fold into the newest)
    await t.app.vehicles.judged()
    await post([fix({ vehicleId: 8, time: ago(29), speedKmh: 90 })])
    const alert = await waitForAlert((a) => a.vehicleId === 8 && a.kind === 'overspeed')
    expect(alert.state).toBe('open')
    expect(alert.message).toMatch(/超速 85/)
    await post([fix({ vehicleId: 8, time: ago(20), speedKmh: 30 })])
    const ended = await waitForAlert((a) => a.id === alert.id && a.endedAt !== null)
    expect(ended.endedAt).not.toBeNull()
    const rows = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM vehicle_alerts WHERE vehicle_id = 8 AND kind = 'overspeed'`)
    expect(rows.rows[0].n).toBe(1)

    expect((await t.as('display', { method: 'POST', url: `/api/vehicles/alerts/${alert.id}/acknowledge` })).statusCode).toBe(403)
    const ack = await t.as('dispatcher', { method: 'POST', url: `/api/vehicles/alerts/${alert.id}/acknowledge` })
    expect(ack.statusCode).toBe(200)
    expect(ack.json()).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'dispatcher' })
    expect((await t.as('dispatcher', { method: 'POST', url: `/api/vehicles/alerts/${alert.id}/acknowledge` })).statusCode).toBe(409)
    expect((await t.as('dispatcher', { method: 'POST', url: `/api/vehicles/alerts/${alert.id}/close` })).json().state).toBe('closed')
    expect((await t.as('dispatcher', { method: 'POST', url: '/api/vehicles/alerts/99999/close' })).statusCode).toBe(404)
    const open = (await t.as('dispatcher', '/api/vehicles/alerts')).json() as VehicleAlert[]
    expect(open.some((a) => a.id === alert.id)).toBe(false)
  })

  it('lists one kind on request: a desk reloading finds every unacknowledged emergency, however many newer alerts there are', async () => {
    const raise = (vehicleId: number, kind: string, minutesAgo: number) => t.db.query(
      `INSERT INTO vehicle_alerts (vehicle_id, kind, message, geom, village_id, raised_at, ended_at)
       VALUES ($1, $2, 'e2e', ST_SetSRID(ST_MakePoint($3, $4), 4326), $5, now() - make_interval(mins => $6), now())
       RETURNING id`, [vehicleId, kind, inVillage.lon, inVillage.lat, inVillage.villageId, minutesAgo])
    const sos = (await raise(9, 'emergency', 90)).rows[0].id as number
    for (let i = 0; i < 5; i++) await raise(9, 'offline', 60 - i)
    const newest = (await t.as('dispatcher', '/api/vehicles/alerts?view=open&limit=3')).json() as VehicleAlert[]
    expect(newest.some((a) => a.id === sos)).toBe(false)
    const res = await t.as('dispatcher', '/api/vehicles/alerts?view=open&kind=emergency&limit=3')
    expect(res.statusCode).toBe(200)
    const emergencies = res.json() as VehicleAlert[]
    expect(emergencies.map((a) => a.id)).toContain(sos)
    expect(emergencies.every((a) => a.kind === 'emergency')).toBe(true)
    expect(emergencies.find((a) => a.id === sos)).toMatchObject({ vehicleId: 9, state: 'open', villageId: inVillage.villageId, acknowledgedBy: null })
    // a kind the system does not know is refused, naming the field
    const bad = await t.as('dispatcher', '/api/vehicles/alerts?kind=fire')
    expect(bad.statusCode).toBe(400)
    expect(bad.json().message).toMatch(/kind/)
  })

  it('judges batches in the order they were stored: a slowdown posted right after speeding leaves no overspeed open', async () => {
    const open = async () => (await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM vehicle_alerts WHERE vehicle_id = 9 AND kind = 'overspeed' AND ended_at IS NULL`)).rows[0].n
    for (let round = 0; round < 10; round++) {
      const at = 300 - round * 20
      await post([fix({ vehicleId: 9, time: ago(at), speedKmh: 95 })])
      await post([fix({ vehicleId: 9, time: ago(at - 1), speedKmh: 20 })])
      await t.app.vehicles.judged()
      // raised and ended, or folded into the slowdown and never raised: never left open
      expect(await open(), `round ${round}`).toBe(0)
    }
  })

  it('reports the collection points a run skipped when the truck is back at the transfer station', async () => {
    const depot = (await t.db.query<{ lon: number; lat: number }>('SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM transfer_stations LIMIT 1')).rows[0]
    const points = (await t.db.query<{ id: number; name: string; lon: number; lat: number }>(
      `SELECT c.id, c.name, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat FROM vehicle_routes r
       JOIN collection_points c ON c.id = ANY(r.collection_point_ids) WHERE r.vehicle_id = 10 ORDER BY c.id`,
    )).rows
    expect(points.length).toBeGreaterThan(2)
    const [visited, ...skipped] = points
    const run = [
      fix({ vehicleId: 10, time: ago(40 * 60), lon: depot.lon, lat: depot.lat, speedKmh: 0 }),
      fix({ vehicleId: 10, time: ago(35 * 60), lon: visited.lon + 0.01, lat: visited.lat, speedKmh: 30 }),
      // drives past one point without stopping: not collected
      fix({ vehicleId: 10, time: ago(30 * 60), lon: skipped[0].lon, lat: skipped[0].lat, speedKmh: 30 }),
      fix({ vehicleId: 10, time: ago(20 * 60), lon: visited.lon, lat: visited.lat, speedKmh: 0 }),
      fix({ vehicleId: 10, time: ago(10 * 60), lon: visited.lon + 0.01, lat: visited.lat, speedKmh: 30 }),
    ]
    // one fix per request, as a truck reports
    for (const f of run) expect((await post([f])).statusCode).toBe(202)
    await t.app.vehicles.judged()
    // The truck's return is ingested by another API process: its own alert engine, which saw
    // none of the run, ends it from what the database remembers.
    const back = fix({ vehicleId: 10, time: ago(60), lon: depot.lon, lat: depot.lat, speedKmh: 0 })
    const otherProcess = new AlertEngine(t.db, DEFAULT_ALERT_RULES)
    await otherProcess.evaluate([{ ...back, villageId: null, stationarySince: back.time }])
    const alert = await waitForAlert((a) => a.vehicleId === 10 && a.kind === 'missedPoint')
    expect(alert.message).toBe(`本趟漏收 ${skipped.length} 个收集点: ${skipped.map((p) => p.name).join('、')}`)
    expect(alert.endedAt).not.toBeNull()
    // the same return reaching this process too judges nothing a second time
    expect((await post([back])).statusCode).toBe(202)
    await t.app.vehicles.judged()
    const rows = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM vehicle_alerts WHERE vehicle_id = 10 AND kind = 'missedPoint'`)
    expect(rows.rows[0].n).toBe(1)
  })
})

describe('history', () => {
  it('finds where a truck stood and names the collection point', async () => {
    const cp = (await t.db.query<{ name: string; lon: number; lat: number }>('SELECT name, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM collection_points ORDER BY id DESC LIMIT 1')).rows[0]
    const fixes = [
      fix({ vehicleId: 11, time: ago(600), lon: cp.lon + 0.01, lat: cp.lat, speedKmh: 30 }),
      ...[480, 450, 420, 390, 360, 330].map((s) => fix({ vehicleId: 11, time: ago(s), lon: cp.lon + 0.00001, lat: cp.lat, speedKmh: 0 })),
      fix({ vehicleId: 11, time: ago(300), lon: cp.lon + 0.01, lat: cp.lat, speedKmh: 30 }),
      // a 30-second halt at a junction is no stop
      fix({ vehicleId: 11, time: ago(200), lon: cp.lon + 0.02, lat: cp.lat, speedKmh: 0 }),
      fix({ vehicleId: 11, time: ago(170), lon: cp.lon + 0.02, lat: cp.lat, speedKmh: 0 }),
      fix({ vehicleId: 11, time: ago(140), lon: cp.lon + 0.03, lat: cp.lat, speedKmh: 30 }),
    ]
    expect((await post(fixes)).statusCode).toBe(202)
    const res = await t.as('dispatcher', `/api/vehicles/11/stops?from=${encodeURIComponent(ago(3600))}&to=${encodeURIComponent(ago(0))}`)
    expect(res.statusCode).toBe(200)
    const stops = res.json() as { start: string; end: string; minutes: number; place: { kind: string; name: string } | null }[]
    expect(stops).toHaveLength(1)
    expect(stops[0].minutes).toBeCloseTo(2.5, 1)
    expect(stops[0].start).toBe(fixes[1].time)
    expect(stops[0].place).toMatchObject({ kind: 'collectionPoint', name: cp.name })
  })

  it('exports the day as CSV for Excel, drivers masked for the wall', async () => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
    const res = await t.as('display', `/api/vehicles/report.csv?date=${today}`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/text\/csv/)
    expect(res.body.startsWith('\uFEFF日期,车牌')).toBe(true)
    const lines = res.body.trim().split('\r\n')
    const vehicles = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM vehicles')).rows[0].n
    expect(lines).toHaveLength(vehicles + 1)
    const plate = (await t.db.query<{ plate: string }>('SELECT plate FROM vehicles WHERE id = 2')).rows[0].plate
    const v2 = lines.find((l) => l.includes(plate))!
    expect(v2.split(',')[3]).toContain('*')
    expect(Number(v2.split(',')[4])).toBeGreaterThanOrEqual(0)
    // the same report as an Excel workbook, numbers as numbers
    const xlsx = await t.as('display', `/api/vehicles/report.xlsx?date=${today}`)
    expect(xlsx.statusCode).toBe(200)
    const book = new ExcelJS.Workbook()
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
    const sheet = book.worksheets[0]
    expect(sheet.rowCount).toBe(vehicles + 1)
    expect(sheet.getRow(1).getCell(2).value).toBe('车牌')
    const row2 = sheet.getRows(2, vehicles)!.find((r) => r.getCell(2).value === plate)!
    expect(String(row2.getCell(4).value)).toContain('*')
    expect(typeof row2.getCell(5).value).toBe('number')
    const bad = await t.as('display', '/api/vehicles/report.csv?date=2026-13-45')
    expect(bad.statusCode).toBe(400)
    expect(bad.json().message).toMatch(/querystring\/date/)
  })
})
