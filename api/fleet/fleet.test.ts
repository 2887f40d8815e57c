import { io as connect, type Socket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { hashPassword } from '../auth/password.ts'
import { insertUsers } from '../auth/repository.ts'
import { TEST_PASSWORD } from '../test/password.ts'
import { normalPlate } from '../../geo/fleet.ts'

// 车辆与设施: trucks, collection points and transfer stations kept on the desk, not only by the
// fixtures: registered, edited and retired (never deleted), scoped to a town, and then followed,
// bound to a terminal and dispatched like the demo's own.
let t: TestApp
// what an open wall's socket is told (dataChanged): its vehicle panel and map refresh on it
const heard: string[] = []
let wall: Socket
let gridOfVillage1: { lon: number; lat: number }
let gridOfVillage2: { lon: number; lat: number }

beforeAll(async () => {
  t = await openTestApp({ socketRecheckMs: 3_600_000 })
  // a second town (village 2), as the access table does, and a dispatcher of each
  await t.db.exec(`INSERT INTO towns (id, code, name, geom) SELECT 2, '371326102', '邻镇', geom FROM villages WHERE id = 2;
                   UPDATE villages SET town_id = 2 WHERE id = 2`)
  const passwordHash = await hashPassword(TEST_PASSWORD)
  await insertUsers(t.db, [{ username: 'town-dispatcher', displayName: '店子镇调度', role: 'dispatcher', townId: 1, passwordHash }])
  const inside = async (village: number) => (await t.db.query<{ lon: number; lat: number }>(
    `SELECT ST_X(label_point) AS lon, ST_Y(label_point) AS lat FROM grids WHERE village_id = $1 AND kind = 'base' AND retired_at IS NULL ORDER BY id LIMIT 1`, [village])).rows[0]
  gridOfVillage1 = await inside(1)
  gridOfVillage2 = await inside(2)
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  wall = connect(`http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`, { auth: { token: await t.token('display') }, transports: ['websocket'], reconnection: false })
  await new Promise<void>((resolve, reject) => {
    wall.on('hello', () => resolve())
    wall.on('connect_error', reject)
  })
  wall.on('dataChanged', (m: { tables: string[] }) => void heard.push(...m.tables))
})
afterAll(async () => {
  wall?.close()
  await t?.close()
})

const post = (who: string, url: string, payload: object) => t.as(who, { method: 'POST', url, payload })
const patch = (who: string, url: string, payload: object) => t.as(who, { method: 'PATCH', url, payload })
const truck = (plate: string, extra: object = {}) => ({ plate, kind: 'compactor', name: '新压缩车', driverName: '王建国', driverPhone: '13912345678', ...extra })
const live = async (who: string) => (await t.as(who, '/api/vehicles')).json() as { id: number; plate: string; driverName: string; driverPhone: string | null; kind: string }[]

describe('plates', () => {
  it('takes 7-character plates and 8-character new-energy ones as people type them, and nothing else', () => {
    expect(normalPlate('鲁Q·D1234')).toBe('鲁Q·D1234')
    expect(normalPlate(' 鲁q d1234 ')).toBe('鲁Q·D1234')
    expect(normalPlate('鲁QD12345')).toBe('鲁Q·D12345')
    expect(normalPlate('鲁Q12345F')).toBe('鲁Q·12345F')
    expect(normalPlate('鲁Q1234挂')).toBe('鲁Q·1234挂')
    for (const bad of ['鲁Q123', '鲁QA12345', '鲁QI1234', 'AQ12345', '鲁Q·D1234567', '', '鲁QD1234F']) expect(normalPlate(bad), bad).toBeNull()
  })
})

describe('the register (/api/fleet/vehicles)', () => {
  let id = 0
  it('registers a truck that is on the live list at once, and tells an open wall (dataChanged vehicles)', async () => {
    heard.length = 0
    const res = await post('admin', '/api/fleet/vehicles', truck('鲁q d1888', { villageId: 1 }))
    expect(res.statusCode, res.body).toBe(201)
    const v = res.json()
    id = v.id
    expect(v).toMatchObject({ plate: '鲁Q·D1888', kind: 'compactor', villageId: 1, townId: 1, driverPhone: '13912345678', terminal: null, retiredAt: null })
    expect((await live('dispatcher')).find((x) => x.id === id)).toMatchObject({ plate: '鲁Q·D1888', kind: 'compactor', driverPhone: '13912345678' })
    await vi.waitFor(() => expect(heard).toContain('vehicles'), { timeout: 60_000, interval: 50 })
  })

  it('masks drivers as the roles that see the fleet without keeping it', async () => {
    expect((await live('leader')).find((x) => x.id === id)).toMatchObject({ driverName: '王建国', driverPhone: '139****5678' })
    expect((await live('display')).find((x) => x.id === id)).toMatchObject({ driverName: '王*国', driverPhone: '139****5678' })
  })

  it('refuses a plate that is not one (400 invalid_plate) and a plate on the road twice (409 plate_taken), however typed', async () => {
    const bad = await post('admin', '/api/fleet/vehicles', truck('鲁Q123'))
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'invalid_plate'])
    expect(bad.json().message).toMatch(/body\/plate/)
    const twice = await post('admin', '/api/fleet/vehicles', truck('鲁Q-D1888'))
    expect([twice.statusCode, twice.json().code]).toEqual([409, 'plate_taken'])
    // the demo's own plates count too
    const demo = (await t.db.query<{ plate: string }>('SELECT plate FROM vehicles WHERE id = 1')).rows[0].plate
    expect((await post('admin', '/api/fleet/vehicles', truck(demo.replace('·', '')))).json().code).toBe('plate_taken')
    const other = await post('admin', '/api/fleet/vehicles', truck('鲁QD10001'))
    expect(other.statusCode, other.body).toBe(201)
    const clash = await patch('admin', `/api/fleet/vehicles/${other.json().id}`, { plate: '鲁QD1888' })
    expect([clash.statusCode, clash.json().code]).toEqual([409, 'plate_taken'])
    const badKind = await post('admin', '/api/fleet/vehicles', truck('鲁QD10002', { kind: 'tank' }))
    expect(badKind.statusCode).toBe(400)
    expect(badKind.json().message).toMatch(/kind/)
  })

  it('edits only what is given', async () => {
    const res = await patch('admin', `/api/fleet/vehicles/${id}`, { name: '东片压缩车', driverPhone: null })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ plate: '鲁Q·D1888', name: '东片压缩车', driverName: '王建国', driverPhone: null, villageId: 1 })
  })

  it('ingests the new truck\'s positions, binds a JT/T 808 terminal to it, and refuses to retire it while bound', async () => {
    const fix = { vehicleId: id, time: new Date(Date.now() - 5_000).toISOString(), ...gridOfVillage1, speedKmh: 20, heading: 90 }
    const ingest = await post('device', '/api/vehicles/positions', { positions: [fix] })
    expect(ingest.statusCode, ingest.body).toBe(202)
    expect(ingest.json()).toMatchObject({ accepted: 1 })
    const bind = await post('admin', '/api/terminals', { phone: '013900001888', vehicleId: id, protocol: 'jt808', terminalId: 'T001888', makerId: 'SZWG1' })
    expect(bind.statusCode, bind.body).toBe(201)
    expect(bind.json()).toMatchObject({ vehicleId: id, plate: '鲁Q·D1888', expected: { plate: '鲁Q·D1888' } })
    expect((await t.as('admin', '/api/fleet/vehicles')).json().find((v: { id: number }) => v.id === id).terminal).toBe('013900001888')
    const bound = await post('admin', `/api/fleet/vehicles/${id}/retire`, {})
    expect([bound.statusCode, bound.json().code]).toEqual([409, 'vehicle_has_terminal'])
    expect((await t.as('admin', { method: 'DELETE', url: '/api/terminals/013900001888' })).statusCode).toBe(204)
  })

  it('retires a truck: off the live list, dispatch and ingest, alerts closed; its track stays and its plate may come back', async () => {
    await t.db.query(`INSERT INTO vehicle_alerts (vehicle_id, kind, message) VALUES ($1, 'offline', '离线')`, [id])
    const res = await post('admin', `/api/fleet/vehicles/${id}/retire`, {})
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().retiredAt).not.toBeNull()
    expect((await live('admin')).some((v) => v.id === id)).toBe(false)
    expect((await t.as('admin', '/api/fleet/vehicles')).json().some((v: { id: number }) => v.id === id)).toBe(false)
    expect((await t.as('admin', '/api/fleet/vehicles?retired=1')).json().map((v: { id: number }) => v.id)).toContain(id)
    const from = new Date(Date.now() - 3_600_000).toISOString()
    const track = await t.as('admin', `/api/vehicles/${id}/track?from=${from}&to=${new Date().toISOString()}`)
    expect(track.json().properties.points).toBe(1)
    expect((await t.db.query(`SELECT 1 FROM vehicle_alerts WHERE vehicle_id = $1 AND state <> 'closed'`, [id])).rows).toEqual([])
    const late = await post('device', '/api/vehicles/positions', { positions: [{ vehicleId: id, time: new Date().toISOString(), ...gridOfVillage1, speedKmh: 0, heading: 0 }] })
    expect(late.statusCode).toBe(400)
    const point = (await t.db.query<{ id: number }>('SELECT id FROM collection_points WHERE retired_at IS NULL ORDER BY id LIMIT 1')).rows[0].id
    const sent = await post('dispatcher', `/api/vehicles/${id}/dispatch`, { collectionPointId: point })
    expect([sent.statusCode, sent.json().code]).toEqual([409, 'vehicle_retired'])
    expect((await patch('admin', `/api/fleet/vehicles/${id}`, { name: 'x' })).json().code).toBe('vehicle_retired')
    const bind = await post('admin', '/api/terminals', { phone: '013900001889', vehicleId: id, protocol: 'jt808', terminalId: 'T001889', makerId: 'SZWG1' })
    expect([bind.statusCode, bind.json().code]).toEqual([409, 'vehicle_retired'])
    // the plate of a retired truck goes on a new one
    expect((await post('admin', '/api/fleet/vehicles', truck('鲁QD1888'))).statusCode).toBe(201)
  })
})

describe('scope: a town keeps its own trucks', () => {
  it("lets a town's dispatcher register in its villages only, and hides another town's trucks from it", async () => {
    const elsewhere = await post('town-dispatcher', '/api/fleet/vehicles', truck('鲁QD20002', { villageId: 2 }))
    expect(elsewhere.statusCode).toBe(403)
    const own = await post('town-dispatcher', '/api/fleet/vehicles', truck('鲁QD20001'))
    expect(own.statusCode, own.body).toBe(201)
    expect(own.json()).toMatchObject({ villageId: null, townId: 1 })
    const theirs = await post('admin', '/api/fleet/vehicles', truck('鲁QD20002', { villageId: 2 }))
    expect(theirs.json()).toMatchObject({ townId: 2 })
    const register = (await t.as('town-dispatcher', '/api/fleet/vehicles')).json() as { id: number; townId: number | null }[]
    expect(register.map((v) => v.id)).toContain(own.json().id)
    expect(register.some((v) => v.id === theirs.json().id)).toBe(false)
    // the county's own trucks (the demo's) are read by every town, kept by the county
    expect(register.some((v) => v.id === 1 && v.townId === null)).toBe(true)
    expect((await live('town-dispatcher')).some((v) => v.id === theirs.json().id)).toBe(false)
    expect((await live('dispatcher')).some((v) => v.id === theirs.json().id)).toBe(true)
    expect((await patch('town-dispatcher', `/api/fleet/vehicles/${theirs.json().id}`, { name: 'x' })).statusCode).toBe(403)
    expect((await patch('town-dispatcher', '/api/fleet/vehicles/1', { name: 'x' })).statusCode).toBe(403)
    expect((await patch('town-dispatcher', '/api/fleet/vehicles/999999', { name: 'x' })).statusCode).toBe(404)
    expect((await t.as('leader', '/api/fleet/vehicles')).statusCode).toBe(403)
  })
})

describe('collection points and transfer stations', () => {
  it('places a point in the grid there, tells the wall, shows it on the map layers and sends trucks to it; a retired one leaves both', async () => {
    heard.length = 0
    const res = await post('dispatcher', '/api/fleet/collection-points', { name: '新建收集点', ...gridOfVillage1, bins: 6 })
    expect(res.statusCode, res.body).toBe(201)
    const p = res.json()
    expect(p).toMatchObject({ name: '新建收集点', villageId: 1, bins: 6, retiredAt: null })
    await vi.waitFor(() => expect(heard).toContain('collection_points'), { timeout: 60_000, interval: 50 })
    const onMap = async () => ((await t.as('display', '/api/facilities')).json().collectionPoints.features as { properties: { id: number } }[]).some((f) => f.properties.id === p.id)
    expect(await onMap()).toBe(true)
    const sent = await post('dispatcher', '/api/vehicles/2/dispatch', { collectionPointId: p.id })
    expect(sent.statusCode, sent.body).toBe(201)
    await post('dispatcher', `/api/vehicles/dispatches/${sent.json().id}/cancel`, {})
    const moved = await patch('dispatcher', `/api/fleet/collection-points/${p.id}`, { ...gridOfVillage2 })
    expect(moved.json()).toMatchObject({ villageId: 2 })
    const outside = await post('admin', '/api/fleet/collection-points', { name: '海上', lon: 120.5, lat: 30.1 })
    expect([outside.statusCode, outside.json().code]).toEqual([422, 'outside_grids'])
    // village 2 is another town's
    expect((await post('town-dispatcher', '/api/fleet/collection-points', { name: '邻镇点', ...gridOfVillage2 })).statusCode).toBe(403)
    expect((await post('dispatcher', `/api/fleet/collection-points/${p.id}/retire`, {})).json().retiredAt).not.toBeNull()
    expect(await onMap()).toBe(false)
    const again = await post('dispatcher', '/api/vehicles/2/dispatch', { collectionPointId: p.id })
    expect([again.statusCode, again.json().code]).toEqual([409, 'collection_point_retired'])
  })

  it("keeps transfer stations with the county's accounts", async () => {
    const res = await post('admin', '/api/fleet/transfer-stations', { name: '新转运站', ...gridOfVillage1 })
    expect(res.statusCode, res.body).toBe(201)
    const onMap = async () => ((await t.as('display', '/api/facilities')).json().transferStations.features as { properties: { id: number } }[]).some((f) => f.properties.id === res.json().id)
    expect(await onMap()).toBe(true)
    expect((await post('town-dispatcher', '/api/fleet/transfer-stations', { name: '镇转运站', ...gridOfVillage1 })).statusCode).toBe(403)
    expect((await patch('admin', `/api/fleet/transfer-stations/${res.json().id}`, { name: '县转运站' })).json().name).toBe('县转运站')
    await post('admin', `/api/fleet/transfer-stations/${res.json().id}/retire`, {})
    expect(await onMap()).toBe(false)
  })
})
