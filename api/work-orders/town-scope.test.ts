import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../auth/password.ts'
import { insertUsers } from '../auth/repository.ts'
import { openTestApp, type TestApp } from '../test/app.ts'
import { TEST_PASSWORD } from '../test/password.ts'
import type { WorkOrder } from '../../geo/work-orders.ts'

// Town scope on every path that makes or reaches an order: a town's dispatcher imports, files
// and acts within its town only, learns nothing of the hotline numbers of other towns, and
// being the reporter of an order never widens its reach.
let t: TestApp
type Place = { grid: number; village: number; lon: number; lat: number }
let town1: Place
let town1b: Place
let town2: Place
beforeAll(async () => {
  t = await openTestApp()
  // a county of two towns, as in access.test.ts: village 2 becomes the neighbouring town
  await t.db.exec(`INSERT INTO towns (id, code, name, geom) SELECT 2, '371326102', '邻镇', geom FROM villages WHERE id = 2;
                   UPDATE villages SET town_id = 2 WHERE id = 2`)
  await insertUsers(t.db, [{ username: 'town-dispatcher', displayName: '店子镇调度', role: 'dispatcher', townId: 1, passwordHash: await hashPassword(TEST_PASSWORD) }])
  const place = async (where: string) => (await t.db.query<Place>(
    `SELECT id AS grid, village_id AS village, ST_X(label_point) AS lon, ST_Y(label_point) AS lat FROM grids WHERE kind = 'base' AND ${where} ORDER BY id LIMIT 1`)).rows[0]
  town1 = await place('village_id = 1')
  town1b = await place(`village_id = 1 AND id <> ${town1.grid}`)
  town2 = await place('village_id = 2')
})
afterAll(async () => t?.close())

const HEAD = '工单编号,受理时间,类别,诉求内容,地址,经度,纬度,来电人,联系电话'
const row = (id: string, p: Place) => [id, '2026-11-03 09:15', '环境卫生', '路边垃圾堆放', '', p.lon, p.lat, '王先生', '13800001111'].join(',')
const importFile = (user: string, rows: string[], dryRun = false) =>
  t.as(user, { method: 'POST', url: `/api/work-orders/import${dryRun ? '?dryRun=1' : ''}`, headers: { 'content-type': 'text/csv' }, payload: Buffer.from([HEAD, ...rows].join('\n')) })
const count = async (externalId: string) =>
  (await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM work_orders WHERE source = 'hotline' AND external_id = $1", [externalId])).rows[0].n
const file = (user: string, p: Place, over: Record<string, unknown> = {}) =>
  t.as(user, { method: 'POST', url: '/api/work-orders', payload: { category: 'road', description: '路面破损', lon: p.lon, lat: p.lat, ...over } })

describe('town scope on every path to an order', () => {
  it("refuses an imported row placed in another town, by row and column, and imports nothing (the preview too)", async () => {
    const rows = [row('TS-001', town1), row('TS-002', town2)]
    for (const dryRun of [true, false]) {
      const res = await importFile('town-dispatcher', rows, dryRun)
      expect(res.statusCode, res.body).toBe(422)
      expect(res.json().errors).toEqual([{ row: 3, field: 'lon', reason: expect.stringMatching(/outside your scope/) }])
    }
    expect(await count('TS-001')).toBe(0)
    // the county's command center imports the same file
    expect((await importFile('dispatcher', rows)).json()).toMatchObject({ imported: 2, errors: [] })
  })

  it('tells "imported before" only of orders within the caller\'s town, and takes a number known only elsewhere as new', async () => {
    expect((await importFile('dispatcher', [row('TS-100', town2)])).json()).toMatchObject({ imported: 1 })
    // the same number placed in town 2: refused by its place, which is checked first
    const there = await importFile('town-dispatcher', [row('TS-100', town2)], true)
    expect(there.statusCode).toBe(422)
    expect(there.json().errors).toEqual([expect.objectContaining({ row: 2, field: 'lon' })])
    // word for word the refusal of a number nobody has
    expect(there.body).toBe((await importFile('town-dispatcher', [row('TS-199', town2)], true)).body)
    // placed in town 1: the number says nothing about town 2's order, so it reads as any new one
    const here = await importFile('town-dispatcher', [row('TS-100', town1)], true)
    const fresh = await importFile('town-dispatcher', [row('TS-101', town1)], true)
    expect(here.statusCode).toBe(200)
    const shape = (r: typeof here) => ({ ...r.json(), preview: r.json().preview.map((p: { importedBefore: boolean; place: string }) => [p.importedBefore, p.place]) })
    expect(shape(here)).toEqual(shape(fresh))
    expect(here.json()).toMatchObject({ wouldImport: 1, alreadyImported: 0, preview: [{ importedBefore: false }] })
    expect((await importFile('town-dispatcher', [row('TS-100', town1)])).json()).toMatchObject({ imported: 1, alreadyImported: 0 })
    expect(await count('TS-100')).toBe(2)
    // now it is town 1's too: imported before, for the town and for the county
    expect((await importFile('town-dispatcher', [row('TS-100', town1)], true)).json()).toMatchObject({ wouldImport: 0, preview: [{ importedBefore: true }] })
    expect((await importFile('town-dispatcher', [row('TS-100', town1)])).json()).toMatchObject({ imported: 0, alreadyImported: 1 })
    expect((await importFile('dispatcher', [row('TS-100', town2)], true)).json()).toMatchObject({ wouldImport: 0, preview: [{ importedBefore: true }] })
  })

  it("never lets being the reporter widen a town account's or a grid worker's reach", async () => {
    // an order a town's dispatcher reported in another town (as the import let it before)
    const { rows } = await t.db.query<{ id: number }>(
      `INSERT INTO work_orders (category, description, source, external_id, geom, grid_id, village_id, state, state_since, deadline_at, reporter, created_at)
       VALUES ('road', '邻镇的路', 'hotline', 'TS-200', ST_SetSRID(ST_MakePoint($1, $2), 4326), $3, $4, 'asked', now(), now() + interval '1 day', 'town-dispatcher', now())
       RETURNING id`, [town2.lon, town2.lat, town2.grid, town2.village])
    const id = rows[0].id
    expect((await t.as('town-dispatcher', `/api/work-orders/${id}`)).statusCode).toBe(403)
    expect((await t.as('town-dispatcher', { method: 'POST', url: `/api/work-orders/${id}/actions`, payload: { action: 'dispatch' } })).statusCode).toBe(403)
    const listed = (await t.as('town-dispatcher', '/api/work-orders?q=TS-200')).json() as WorkOrder[]
    expect(listed.map((o) => o.id)).not.toContain(id)
    // a grid worker still sees her own reports in her village's other grids, and nothing beyond it
    const gw = `gw-${town1.grid}`
    const mine = await file(gw, town1b)
    expect(mine.statusCode, mine.body).toBe(201)
    expect((await t.as(gw, `/api/work-orders/${mine.json().id}`)).statusCode).toBe(200)
    expect((await t.as(`gw-${town1b.grid}`, `/api/work-orders/${mine.json().id}`)).statusCode).toBe(200)
    const far = await t.db.query<{ id: number }>(
      `INSERT INTO work_orders (category, description, source, geom, grid_id, village_id, state, state_since, deadline_at, reporter, created_at)
       VALUES ('road', '别村的路', 'gridWorker', ST_SetSRID(ST_MakePoint($1, $2), 4326), $3, $4, 'asked', now(), now() + interval '1 day', $5, now())
       RETURNING id`, [town2.lon, town2.lat, town2.grid, town2.village, gw])
    expect((await t.as(gw, `/api/work-orders/${far.rows[0].id}`)).statusCode).toBe(403)
  })

  it('files orders by hand within the town whatever their source, and an external number of another town names nothing', async () => {
    for (const source of ['hotline', 'vehicleAlert', 'center']) {
      expect((await file('town-dispatcher', town2, { source, externalId: `TS-3${source}` })).statusCode, source).toBe(403)
    }
    const theirs = await file('dispatcher', town2, { source: 'vehicleAlert', externalId: 'vehicle-alert-TS-9' })
    expect(theirs.statusCode).toBe(201)
    // the same alert filed in town 1 by its own center: a new order of its own, not a 403 naming town 2's
    const ours = await file('town-dispatcher', town1, { source: 'vehicleAlert', externalId: 'vehicle-alert-TS-9' })
    expect(ours.statusCode, ours.body).toBe(201)
    expect(ours.json().id).not.toBe(theirs.json().id)
    // filed again, within the town: the same order back
    const again = await file('town-dispatcher', town1, { source: 'vehicleAlert', externalId: 'vehicle-alert-TS-9' })
    expect(again.statusCode).toBe(200)
    expect(again.json().id).toBe(ours.json().id)
    // the county's center sees both and gets its own back
    expect((await file('dispatcher', town2, { source: 'vehicleAlert', externalId: 'vehicle-alert-TS-9' })).json().id).toBe(theirs.json().id)
  })
})
