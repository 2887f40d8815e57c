import sharp from 'sharp'
import { io as connect } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { hashPassword } from '../auth/password.ts'
import { insertUsers } from '../auth/repository.ts'
import { TEST_PASSWORD } from '../test/password.ts'

// The access policy as a table: each resource (REST route, tile, photo, export, search,
// socket subscription), in the caller's scope and outside it, against every role. A change
// to what a role may reach shows up here as a changed cell.
let t: TestApp
let url: string
const ids = { gridA: 0, gridB: 0, hA: 0, hB: 0, rA: 0, rB: 0, orderA: 0, orderB: 0, photoOrder: 0, photoVisit: 0, photoOrphan: 0, lonA: 0, latA: 0, disputeA: 0, disputeB: 0 }
const place = async (grid: number) =>
  (await t.db.query<{ lon: number; lat: number }>('SELECT ST_X(label_point) AS lon, ST_Y(label_point) AS lat FROM grids WHERE id = $1', [grid])).rows[0]
const jpeg = (r: number) => sharp({ create: { width: 16, height: 16, channels: 3, background: { r, g: 40, b: 90 } } }).jpeg().toBuffer()
async function upload(username: string, colour: number): Promise<number> {
  const res = await t.as(username, { method: 'POST', url: '/api/photos', headers: { 'content-type': 'image/jpeg' }, payload: await jpeg(colour) })
  expect(res.statusCode, res.body).toBe(201)
  return res.json().id
}

beforeAll(async () => {
  t = await openTestApp()
  // a county of two towns: village 2 (with grid B) becomes the second town, so town 1's
  // command center (townLeader, townDisplay) has a neighbour it must not see; the demo's
  // leader, dispatcher and display have no town and work for the county
  await t.db.exec(`INSERT INTO towns (id, code, name, geom) SELECT 2, '371326102', '邻镇', geom FROM villages WHERE id = 2;
                   UPDATE villages SET town_id = 2 WHERE id = 2`)
  const passwordHash = await hashPassword(TEST_PASSWORD)
  await insertUsers(t.db, [
    { username: 'town-leader', displayName: '店子镇领导', role: 'leader', townId: 1, passwordHash },
    { username: 'town-display', displayName: '店子镇大屏', role: 'display', townId: 1, passwordHash },
    { username: 'town-dispatcher', displayName: '店子镇调度', role: 'dispatcher', townId: 1, passwordHash },
  ])
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`
  const one = async (sql: string) => (await t.db.query<{ id: number }>(sql)).rows[0].id
  ids.gridA = await one(`SELECT id FROM grids WHERE village_id = 1 AND kind = 'base' ORDER BY id LIMIT 1`)
  ids.gridB = await one(`SELECT id FROM grids WHERE village_id = 2 AND kind = 'base' ORDER BY id LIMIT 1`)
  ids.hA = await one(`SELECT id FROM households WHERE grid_id = ${ids.gridA} ORDER BY id LIMIT 1`)
  ids.hB = await one(`SELECT id FROM households WHERE grid_id = ${ids.gridB} ORDER BY id LIMIT 1`)
  ids.rA = await one(`SELECT id FROM residents WHERE household_id = ${ids.hA} ORDER BY id LIMIT 1`)
  ids.rB = await one(`SELECT id FROM residents WHERE household_id = ${ids.hB} ORDER BY id LIMIT 1`)
  const gwA = `gw-${ids.gridA}`
  ;({ lon: ids.lonA, lat: ids.latA } = await place(ids.gridA))
  ids.photoOrder = await upload(gwA, 10)
  ids.photoVisit = await upload(gwA, 20)
  ids.photoOrphan = await upload('dispatcher', 30)
  const report = async (username: string, grid: number, photoIds: number[]) => {
    const res = await t.as(username, { method: 'POST', url: '/api/work-orders', payload: { category: 'road', description: '路面破损', ...(await place(grid)), photoIds } })
    expect(res.statusCode, res.body).toBe(201)
    return res.json().id as number
  }
  ids.orderA = await report(gwA, ids.gridA, [ids.photoOrder])
  ids.orderB = await report('dispatcher', ids.gridB, [])
  const dispute = async (username: string, grid: number) => {
    const res = await t.as(username, { method: 'POST', url: '/api/disputes', payload: { gridId: grid, type: '邻里纠纷', summary: '院墙滴水', parties: [{ name: '张小三', phone: '13812345678' }] } })
    expect(res.statusCode, res.body).toBe(201)
    return res.json().id as number
  }
  ids.disputeA = await dispute(gwA, ids.gridA)
  ids.disputeB = await dispute('dispatcher', ids.gridB)
  const visit = await t.as(gwA, { method: 'POST', url: '/api/household-visits', payload: { householdId: ids.hA, photoIds: [ids.photoVisit] } })
  expect(visit.statusCode, visit.body).toBe(201)
})
afterAll(async () => t?.close())

// leader, dispatcher and display are the county's (县级指挥中心); townLeader and townDisplay town 1's
const ROLES = ['anonymous', 'admin', 'leader', 'dispatcher', 'display', 'device', 'cadreA', 'gwA', 'townLeader', 'townDisplay'] as const
type Who = (typeof ROLES)[number]
const username = (who: Who) =>
  who === 'cadreA' ? 'cadre-1' : who === 'gwA' ? `gw-${ids.gridA}` : who === 'townLeader' ? 'town-leader' : who === 'townDisplay' ? 'town-display' : who
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())

/** resource → its address, and the expected answer per role in ROLES order */
const REST: [string, () => string, number[]][] = [
  //                                                          anon admin leader disp display device cadreA gwA townL townD
  ['geography', () => '/api/villages', [401, 200, 200, 200, 200, 403, 200, 200, 200, 200]],
  ['households of grid A', () => `/api/households?grid=${ids.gridA}`, [401, 200, 200, 200, 200, 403, 200, 200, 200, 200]],
  ['households of grid B', () => `/api/households?grid=${ids.gridB}`, [401, 200, 200, 200, 200, 403, 403, 403, 403, 403]],
  ['household card A', () => `/api/households/${ids.hA}`, [401, 200, 200, 200, 200, 403, 200, 200, 200, 200]],
  ['household card B', () => `/api/households/${ids.hB}`, [401, 200, 200, 200, 200, 403, 403, 403, 403, 403]],
  ['resident A', () => `/api/residents/${ids.rA}`, [401, 200, 200, 200, 200, 403, 200, 200, 200, 200]],
  ['resident B', () => `/api/residents/${ids.rB}`, [401, 200, 200, 200, 200, 403, 403, 403, 403, 403]],
  ['unmask resident A', () => `/api/residents/${ids.rA}?unmask=1&reason=${encodeURIComponent('核对户籍信息')}`, [401, 200, 200, 403, 403, 403, 200, 200, 200, 403]],
  ['unmask resident B', () => `/api/residents/${ids.rB}?unmask=1&reason=${encodeURIComponent('核对户籍信息')}`, [401, 200, 200, 403, 403, 403, 403, 403, 403, 403]],
  ['audit trail', () => '/api/audit', [401, 200, 403, 403, 403, 403, 403, 403, 403, 403]],
  ['stats town', () => '/api/stats?scope=town', [401, 200, 200, 200, 200, 403, 403, 403, 200, 200]],
  ['stats village A', () => '/api/stats?scope=village:1', [401, 200, 200, 200, 200, 403, 200, 403, 200, 200]],
  ['stats village B', () => '/api/stats?scope=village:2', [401, 200, 200, 200, 200, 403, 403, 403, 403, 403]],
  ['stats grid A', () => `/api/stats?scope=grid:${ids.gridA}`, [401, 200, 200, 200, 200, 403, 200, 200, 200, 200]],
  ['search', () => '/api/search?q=%E6%9D%91', [401, 200, 200, 200, 200, 403, 200, 200, 200, 200]],
  ['grid tiles', () => '/api/tiles/grids/10/845/405.mvt', [401, 200, 200, 200, 200, 403, 200, 200, 200, 200]],
  ['household tiles', () => '/api/tiles/households/14/13530/6480.mvt', [401, 200, 200, 200, 200, 403, 403, 403, 403, 403]],
  ['photo on an order in grid A', () => `/api/photos/${ids.photoOrder}/thumb`, [401, 200, 200, 200, 200, 403, 200, 200, 200, 200]],
  ['photo of a home visit in grid A', () => `/api/photos/${ids.photoVisit}/thumb`, [401, 200, 200, 403, 403, 403, 200, 200, 200, 403]],
  ["dispatcher's photo on nothing", () => `/api/photos/${ids.photoOrphan}/thumb`, [401, 403, 403, 200, 403, 403, 403, 403, 403, 403]],
  ['vehicle report export', () => `/api/vehicles/report.csv?date=${today()}`, [401, 200, 200, 200, 200, 403, 403, 403, 200, 200]],
  // lists as spreadsheets: the list's readers less the wall; the rows are the list's, in scope
  ['work order export', () => '/api/work-orders/export.xlsx?state=asked&village=1', [401, 200, 200, 200, 403, 403, 200, 200, 200, 403]],
  ['league tables export', () => '/api/work-orders/rankings/export.xlsx?days=7', [401, 200, 200, 200, 403, 403, 200, 200, 200, 403]],
  ['vehicle alerts export', () => '/api/vehicles/alerts/export.xlsx?view=open', [401, 200, 200, 200, 403, 403, 200, 403, 200, 403]],
  ['audit trail export', () => '/api/audit/export.xlsx?kind=accounts', [401, 200, 403, 403, 403, 403, 403, 403, 403, 403]],
  // walls steered from the desk: the admin's alone
  ['reload an unknown wall', () => 'POST /api/displays/wall-unknown-1/reload', [401, 404, 403, 403, 403, 403, 403, 403, 403, 403]],
  ['name an unknown wall', () => 'PATCH /api/displays/wall-unknown-1', [401, 400, 403, 403, 403, 403, 403, 403, 403, 403]],
  ['vehicles', () => '/api/vehicles', [401, 200, 200, 200, 200, 403, 200, 200, 200, 200]],
  ['vehicle alerts', () => '/api/vehicles/alerts', [401, 200, 200, 200, 200, 403, 200, 403, 200, 200]],
  ['vehicle track', () => `/api/vehicles/1/track?from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date().toISOString()}`, [401, 200, 200, 200, 200, 403, 403, 403, 200, 200]],
  ['work order in grid A', () => `/api/work-orders/${ids.orderA}`, [401, 200, 200, 200, 200, 403, 200, 200, 200, 200]],
  ['work order in village B', () => `/api/work-orders/${ids.orderB}`, [401, 200, 200, 200, 200, 403, 403, 403, 403, 403]],
  ['hotline import', () => 'POST /api/work-orders/import', [401, 415, 403, 415, 403, 403, 403, 403, 403, 403]],
  ['reply templates (常用语)', () => '/api/work-orders/templates', [401, 200, 200, 200, 403, 403, 200, 200, 200, 403]],
  ['add a reply template', () => 'POST /api/work-orders/templates', [401, 400, 403, 403, 403, 403, 403, 403, 403, 403]],
  ['households import', () => 'POST /api/imports/households', [401, 415, 403, 403, 403, 403, 415, 403, 403, 403]],
  ['residents import', () => 'POST /api/imports/residents', [401, 415, 403, 403, 403, 403, 415, 403, 403, 403]],
  ['households waiting to be placed', () => '/api/households?unplaced=1', [401, 200, 403, 403, 403, 403, 200, 200, 403, 403]],
  ['waiting in village B', () => '/api/households?unplaced=1&village=2', [401, 200, 403, 403, 403, 403, 403, 403, 403, 403]],
  ['place household A', () => `PUT /api/households/${ids.hA}/location`, [401, 200, 403, 403, 403, 403, 200, 200, 403, 403]],
  // 户册 (issue 29): her own grid's households by house number and head of household, for its grid worker alone
  ['roster of grid A', () => `/api/households/roster?grid=${ids.gridA}`, [401, 403, 403, 403, 403, 403, 403, 200, 403, 403]],
  ['roster of grid B', () => `/api/households/roster?grid=${ids.gridB}`, [401, 403, 403, 403, 403, 403, 403, 403, 403, 403]],
  ['newborns waiting for an ID number', () => '/api/residents/pending-id', [401, 200, 403, 403, 403, 403, 200, 200, 403, 403]],
  ['terminals', () => '/api/terminals', [401, 200, 403, 200, 403, 403, 403, 403, 403, 403]],
  ['tile counters', () => '/api/tiles/stats', [401, 200, 403, 403, 403, 403, 403, 403, 403, 403]],
  // 矛盾纠纷: staff in scope read and register (a text body is no JSON: 400 once admitted); the
  // village, the town and the admin mediate (a grid worker at 微调解), never the dispatcher; a
  // wall, a department and a terminal none of it
  ['disputes', () => '/api/disputes', [401, 200, 200, 200, 403, 403, 200, 200, 200, 403]],
  ['dispute in grid A', () => `/api/disputes/${ids.disputeA}`, [401, 200, 200, 200, 403, 403, 200, 200, 200, 403]],
  ['dispute in village B', () => `/api/disputes/${ids.disputeB}`, [401, 200, 200, 200, 403, 403, 403, 403, 403, 403]],
  ['disputes of village B', () => '/api/disputes?village=2', [401, 200, 200, 200, 403, 403, 403, 403, 403, 403]],
  ["unmask dispute A's parties", () => `/api/disputes/${ids.disputeA}?unmask=1&reason=${encodeURIComponent('电话约调解时间')}`, [401, 200, 200, 403, 403, 403, 200, 200, 200, 403]],
  ['register a dispute', () => 'POST /api/disputes', [401, 400, 400, 400, 403, 403, 400, 400, 400, 403]],
  ['mediate dispute A', () => `PATCH /api/disputes/${ids.disputeA}`, [401, 400, 400, 403, 403, 403, 400, 400, 400, 403]],
  // going live (底数导入): the admin's alone, refused before the body is read (the admin's text body
  // here is no JSON object: 400; nor a sheet: 415)
  ['setup checklist', () => '/api/setup', [401, 200, 403, 403, 403, 403, 403, 403, 403, 403]],
  ['name the county', () => 'PUT /api/county', [401, 400, 403, 403, 403, 403, 403, 403, 403, 403]],
  ['name a town', () => 'POST /api/towns', [401, 400, 403, 403, 403, 403, 403, 403, 403, 403]],
  ['rename a town', () => 'PATCH /api/towns/1', [401, 400, 403, 403, 403, 403, 403, 403, 403, 403]],
  ['accounts in bulk', () => 'POST /api/imports/users', [401, 415, 403, 403, 403, 403, 403, 403, 403, 403]],
  // boundaries from files: the admin's alone, refused before the body is read (a text body: 415);
  // the map given back to the county's GIS: admin and leaders (a town's leader too)
  ['boundary import', () => 'POST /api/imports/boundaries?level=village', [401, 415, 403, 403, 403, 403, 403, 403, 403, 403]],
  ['boundary export', () => '/api/exports/boundaries?level=grid&format=geojson', [401, 200, 200, 403, 403, 403, 403, 403, 200, 403]],
  // 网格划分: the admin's alone (her bodies here are not JSON: 400 once admitted)
  ['grid editor: split grid A', () => `POST /api/grids/${ids.gridA}/split`, [401, 400, 403, 403, 403, 403, 403, 403, 403, 403]],
  ['grid editor: merge', () => 'POST /api/grids/merge', [401, 400, 403, 403, 403, 403, 403, 403, 403, 403]],
  ['grid editor: reshape grid A', () => `PUT /api/grids/${ids.gridA}/geometry`, [401, 400, 403, 403, 403, 403, 403, 403, 403, 403]],
  ['grid editor: new grid', () => 'POST /api/grids', [401, 400, 403, 403, 403, 403, 403, 403, 403, 403]],
  ['grid editor: rename grid A', () => `PATCH /api/grids/${ids.gridA}`, [401, 400, 403, 403, 403, 403, 403, 403, 403, 403]],
  ['grid editor: workers of village 1', () => '/api/grid-workers?village=1', [401, 200, 403, 403, 403, 403, 403, 403, 403, 403]],
  // 列管 / 撤管: the people who follow the ledgers up (their text bodies here: 400 once admitted); scope is in api/ledgers/tags.test.ts
  ['put resident A on a ledger', () => `POST /api/residents/${ids.rA}/tags`, [401, 400, 403, 403, 403, 403, 400, 400, 403, 403]],
  ['take resident A off a ledger', () => `DELETE /api/residents/${ids.rA}/tags/${encodeURIComponent('留守儿童')}`, [401, 400, 403, 403, 403, 403, 400, 400, 403, 403]],
  // cameras: the admin keeps them, the center watches their state, the gateway (device) beats, walls and the center play them
  ['cameras', () => '/api/cameras', [401, 200, 403, 200, 403, 403, 403, 403, 403, 403]],
  ['camera alerts', () => '/api/cameras/alerts', [401, 200, 403, 200, 403, 403, 403, 403, 403, 403]],
  ['acknowledge an unknown camera alert', () => 'POST /api/cameras/alerts/99999/acknowledge', [401, 404, 403, 404, 403, 403, 403, 403, 403, 403]],
  ['camera 1 stream', () => '/api/cameras/1/stream', [401, 200, 200, 200, 200, 403, 403, 403, 200, 200]],
  ['add a camera', () => 'POST /api/cameras', [401, 400, 403, 403, 403, 403, 403, 403, 403, 403]],
  ['edit camera 1', () => 'PATCH /api/cameras/1', [401, 400, 403, 403, 403, 403, 403, 403, 403, 403]],
  ['delete an unknown camera', () => 'DELETE /api/cameras/99999', [401, 404, 403, 403, 403, 403, 403, 403, 403, 403]],
  ['camera 1 heartbeat', () => 'POST /api/cameras/1/heartbeat', [401, 403, 403, 403, 403, 200, 403, 403, 403, 403]],
  // 车辆与设施: the command center keeps the fleet register (a town's dispatcher its town's: api/fleet/fleet.test.ts)
  ['fleet register', () => '/api/fleet/vehicles', [401, 200, 403, 200, 403, 403, 403, 403, 403, 403]],
  ['register a truck', () => 'POST /api/fleet/vehicles', [401, 400, 403, 400, 403, 403, 403, 403, 403, 403]],
  ['retire an unknown truck', () => 'POST /api/fleet/vehicles/99999/retire', [401, 404, 403, 404, 403, 403, 403, 403, 403, 403]],
  ['collection points register', () => '/api/fleet/collection-points', [401, 200, 403, 200, 403, 403, 403, 403, 403, 403]],
  ['edit an unknown collection point', () => 'PATCH /api/fleet/collection-points/99999', [401, 400, 403, 400, 403, 403, 403, 403, 403, 403]],
  ['transfer stations register', () => '/api/fleet/transfer-stations', [401, 200, 403, 200, 403, 403, 403, 403, 403, 403]],
  ['trucks import', () => 'POST /api/imports/vehicles', [401, 415, 403, 415, 403, 403, 403, 403, 403, 403]],
  ['collection points import', () => 'POST /api/imports/collection-points', [401, 415, 403, 415, 403, 403, 403, 403, 403, 403]],
  // 星级评定: admin and leaders, a town's leader for her town's villages (village 2 is town 2's)
  ['star reviews', () => '/api/star-reviews?year=2025', [401, 200, 200, 403, 403, 403, 403, 403, 200, 403]],
  ['star review of village 1', () => 'PUT /api/star-reviews/1/2025', [401, 200, 200, 403, 403, 403, 403, 403, 200, 403]],
  ['star review of village 2', () => 'PUT /api/star-reviews/2/2025', [401, 200, 200, 403, 403, 403, 403, 403, 403, 403]],
  ['star review of an unknown village', () => 'PUT /api/star-reviews/999/2025', [401, 404, 404, 403, 403, 403, 403, 403, 404, 403]],
  // 民生资金: read by admin, leaders and a cadre for her village (and 民政局's account, api/welfare);
  // corrected and imported by admin (and 民政局), published by leaders, all refused before the body
  // is read (the admin's and leaders' text bodies here are no JSON object: 400; nor a sheet: 415)
  ['welfare funds', () => '/api/welfare-funds', [401, 200, 200, 403, 403, 403, 200, 403, 200, 403]],
  ['welfare funds of village B', () => '/api/welfare-funds?village=2', [401, 200, 200, 403, 403, 403, 403, 403, 403, 403]],
  ['welfare funds import', () => 'POST /api/imports/welfare-funds', [401, 415, 403, 403, 403, 403, 403, 403, 403, 403]],
  ['correct a welfare figure of village 1', () => `PUT /api/welfare-funds/1/2026-10/${encodeURIComponent('低保金')}`, [401, 400, 403, 403, 403, 403, 403, 403, 403, 403]],
  ['publish welfare funds', () => 'POST /api/welfare-funds/publications', [401, 400, 400, 403, 403, 403, 403, 403, 400, 403]],
  ['withdraw village B\'s published month', () => 'DELETE /api/welfare-funds/publications/2/2026-10', [401, 200, 200, 403, 403, 403, 403, 403, 403, 403]],
  // 三务公开 for residents: public, the same answer for everyone
  ["residents' 三务公开 of village 1", () => '/api/public/villages/1/affairs', [200, 200, 200, 200, 200, 200, 200, 200, 200, 200]],
]

/** the county level: the whole county for its own accounts; a town's figures for the county and that town */
const COUNTY_REST: typeof REST = [
  //                                                          anon admin leader disp display device cadreA gwA townL townD
  ['stats county', () => '/api/stats?scope=county', [401, 200, 200, 200, 200, 403, 403, 403, 403, 403]],
  ['stats town 1', () => '/api/stats?scope=town:1', [401, 200, 200, 200, 200, 403, 403, 403, 200, 200]],
  ['stats town 2', () => '/api/stats?scope=town:2', [401, 200, 200, 200, 200, 403, 403, 403, 403, 403]],
  ['stats unknown town', () => '/api/stats?scope=town:99', [401, 404, 404, 404, 404, 403, 404, 404, 404, 404]],
  ['KPIs county', () => '/api/work-orders/kpis?scope=county', [401, 200, 200, 200, 200, 403, 403, 403, 403, 403]],
  ['KPIs town 2', () => '/api/work-orders/kpis?scope=town:2', [401, 200, 200, 200, 200, 403, 403, 403, 403, 403]],
  ['heat town 1', () => '/api/work-orders/heat?scope=town:1', [401, 200, 200, 200, 200, 403, 403, 403, 200, 200]],
  ['towns', () => '/api/towns', [401, 200, 200, 200, 200, 403, 200, 200, 200, 200]],
]

async function request(who: Who, address: string) {
  const [method, path] = /^(POST|PUT|PATCH|DELETE) /.test(address) ? address.split(' ') : ['GET', address]
  // a PUT places a household at the point of grid A: a place the household of grid B may not go;
  // or enters a well-formed star review, so what answers is the caller's right to it
  const put = path.startsWith('/api/star-reviews/') ? { annualReview: '合格', honours: [], tenureYears: 2 } : { lon: ids.lonA, lat: ids.latA }
  const body = method === 'PUT' ? { payload: put } : method !== 'GET' ? { payload: 'x', headers: { 'content-type': 'text/plain' } } : {}
  const req = { method: method as 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: path, ...body }
  return who === 'anonymous' ? t.app.inject(req) : t.as(username(who), req)
}

describe('role × resource × scope', () => {
  const answersAsTable = async (table: typeof REST) => {
    const wrong: string[] = []
    for (const [name, address, expected] of table) {
      for (const [i, who] of ROLES.entries()) {
        const res = await request(who, address())
        if (res.statusCode !== expected[i]) wrong.push(`${name} as ${who}: ${res.statusCode}, expected ${expected[i]} (${res.body.slice(0, 80)})`)
      }
    }
    expect(wrong).toEqual([])
  }
  it('answers every REST resource as the policy table says', () => answersAsTable(REST))
  it('answers the county and town levels as the policy table says', () => answersAsTable(COUNTY_REST))

  it('admits live subscriptions as the policy table says', async () => {
    // trucks are the county's fleet: a town's accounts follow them all, as the county's do
    //                              anon admin leader disp display device cadreA gwA townL townD
    const table: [string, string[]][] = [
      ['town', ['no', 'ok', 'ok', 'ok', 'ok', 'no', 'no', 'no', 'ok', 'ok']],
      ['village:1', ['no', 'ok', 'ok', 'ok', 'ok', 'no', 'ok', 'ok', 'ok', 'ok']],
      ['village:2', ['no', 'ok', 'ok', 'ok', 'ok', 'no', 'no', 'no', 'ok', 'ok']],
      ['bbox:117.3,35.0,117.5,35.2', ['no', 'ok', 'ok', 'ok', 'ok', 'no', 'no', 'no', 'ok', 'ok']],
    ]
    const wrong: string[] = []
    for (const [i, who] of ROLES.entries()) {
      const socket = connect(url, { auth: who === 'anonymous' ? {} : { token: await t.token(username(who)) }, transports: ['websocket'], reconnection: false })
      const connected = await new Promise<boolean>((r) => {
        socket.on('connect', () => r(true))
        socket.on('connect_error', () => r(false))
      })
      for (const [scope, expected] of table) {
        const answer = connected
          ? await new Promise<{ ok: boolean }>((r) => socket.emit('subscribe', { scope }, r))
          : { ok: false }
        if ((answer.ok ? 'ok' : 'no') !== expected[i]) wrong.push(`subscribe ${scope} as ${who}: ${answer.ok ? 'ok' : 'no'}`)
      }
      socket.close()
    }
    expect(wrong).toEqual([])
  })

  it('keeps scoped roles to their village in lists as well as on the socket', async () => {
    const village = (await t.db.query<{ village_id: number }>('SELECT village_id FROM grids WHERE id = $1', [ids.gridA])).rows[0].village_id
    const all = (await t.as('dispatcher', '/api/vehicles')).json() as { villageId: number | null }[]
    for (const who of ['cadreA', 'gwA'] as const) {
      const mine = (await t.as(username(who), '/api/vehicles')).json() as { villageId: number | null }[]
      expect(mine.length, who).toBe(all.filter((v) => v.villageId === village).length)
      expect(mine.every((v) => v.villageId === village), who).toBe(true)
    }
  })

  it("keeps a town's command center to its town in search and in live pushes", async () => {
    const addressB = (await t.db.query<{ address: string }>('SELECT address FROM households WHERE id = $1', [ids.hB])).rows[0].address
    const households = async (who: string) =>
      ((await t.as(who, `/api/search?q=${encodeURIComponent(addressB)}&limit=50`)).json() as { hits: { kind: string; id: number }[] }).hits
        .filter((h) => h.kind === 'household').map((h) => h.id)
    expect(await households('leader')).toContain(ids.hB)
    expect(await households('town-leader')).toEqual([])

    const socket = connect(url, { auth: { token: await t.token('town-leader') }, transports: ['websocket'], reconnection: false })
    try {
      const hello = await new Promise<{ rooms: string[] }>((r) => socket.once('hello', r))
      expect(hello.rooms).toEqual(['town:1'])
      const seen: number[] = []
      socket.on('workOrder', (o: { id: number }) => seen.push(o.id))
      const file = async (grid: number) => {
        const res = await t.as('dispatcher', { method: 'POST', url: '/api/work-orders', payload: { category: 'road', description: '县里派来的单子', ...(await place(grid)) } })
        expect(res.statusCode, res.body).toBe(201)
        return res.json().id as number
      }
      const inB = await file(ids.gridB)
      const inA = await file(ids.gridA)
      for (let i = 0; i < 100 && !seen.includes(inA); i++) await new Promise((r) => setTimeout(r, 50))
      expect(seen).toContain(inA)
      expect(seen).not.toContain(inB)
      // and a town's dispatcher-level account files and dispatches only within its town
      const outside = await t.as('town-leader', { method: 'POST', url: '/api/work-orders', payload: { category: 'road', description: '邻镇的路', ...(await place(ids.gridB)) } })
      expect(outside.statusCode).toBe(403)
    } finally {
      socket.close()
    }
  })

  it('still says 404 for ids that do not exist, whatever the scope', async () => {
    expect((await t.as('cadre-1', '/api/households/99999999')).statusCode).toBe(404)
    expect((await t.as('cadre-1', '/api/residents/99999999')).statusCode).toBe(404)
    expect((await t.as('display', '/api/photos/99999999')).statusCode).toBe(404)
  })
})

describe('photos and replays', () => {
  it("refuses a visit or an order that names someone else's photo, so naming it cannot open it", async () => {
    const gwA = `gw-${ids.gridA}`
    const other = (await t.db.query<{ id: number }>(`SELECT id FROM grids WHERE village_id = 1 AND id <> $1 ORDER BY id LIMIT 1`, [ids.gridA])).rows[0].id
    const hOther = (await t.db.query<{ id: number }>('SELECT id FROM households WHERE grid_id = $1 LIMIT 1', [other])).rows[0].id
    const borrowed = await t.as(`gw-${other}`, { method: 'POST', url: '/api/household-visits', payload: { householdId: hOther, photoIds: [ids.photoVisit] } })
    expect(borrowed.statusCode).toBe(400)
    expect(borrowed.json().message).toMatch(/photoIds\/0 is not a photo you uploaded/)
    expect((await t.as(`gw-${other}`, `/api/photos/${ids.photoVisit}`)).statusCode).toBe(403)
    const order = await t.as(gwA, { method: 'POST', url: '/api/work-orders', payload: { category: 'road', description: '借用照片', ...(await place(ids.gridA)), photoIds: [ids.photoOrphan] } })
    expect(order.statusCode).toBe(400)
  })

  it("does not hand back another user's visit or order for a clientKey they used", async () => {
    const gwA = `gw-${ids.gridA}`
    const mine = await t.as(gwA, { method: 'POST', url: '/api/household-visits', payload: { householdId: ids.hA, note: '入户', clientKey: 'key-visit-0001' } })
    expect(mine.statusCode).toBe(201)
    expect((await t.as(gwA, { method: 'POST', url: '/api/household-visits', payload: { householdId: ids.hA, note: '入户', clientKey: 'key-visit-0001' } })).statusCode).toBe(200)
    const replay = await t.as('cadre-1', { method: 'POST', url: '/api/household-visits', payload: { householdId: ids.hA, clientKey: 'key-visit-0001' } })
    expect(replay.statusCode).toBe(409)
    expect(replay.body).not.toContain('入户')
    const order = { category: 'road', description: '路灯损坏', ...(await place(ids.gridA)), clientKey: 'key-order-0001' }
    expect((await t.as(gwA, { method: 'POST', url: '/api/work-orders', payload: order })).statusCode).toBe(201)
    expect((await t.as('cadre-1', { method: 'POST', url: '/api/work-orders', payload: order })).statusCode).toBe(409)
  })
})

describe('league tables (擂台赛) by town', () => {
  type Tables = { villages: { villageId: number }[]; gridWorkers: { gridId: number }[] }
  const tables = async (as: string, query = '') => {
    const res = await t.as(as, `/api/work-orders/rankings${query}`)
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200)
    return res.json() as Tables
  }

  it('rank a town account among its own town, a county account among the county or the town it asks for', async () => {
    expect((await tables('leader')).villages).toHaveLength(17)
    const town1 = await tables('town-leader')
    expect(town1.villages).toHaveLength(16)
    expect(town1.villages.some((v) => v.villageId === 2)).toBe(false)
    expect(town1.gridWorkers.some((g) => g.gridId === ids.gridB)).toBe(false)
    expect(await tables('leader', '?scope=town:1')).toEqual(town1)
    const town2 = await tables('leader', '?scope=town:2')
    expect(town2.villages.map((v) => v.villageId)).toEqual([2])
    expect(town2.gridWorkers.some((g) => g.gridId === ids.gridB)).toBe(true)
  })

  it('rank a village cadre among the villages of her town, and refuse what is outside the caller', async () => {
    expect((await tables('cadre-2')).villages.map((v) => v.villageId)).toEqual([2])
    expect((await tables('cadre-1')).villages).toHaveLength(16)
    expect((await t.as('town-leader', '/api/work-orders/rankings?scope=county')).statusCode).toBe(403)
    expect((await t.as('town-leader', '/api/work-orders/rankings?scope=town:2')).statusCode).toBe(403)
    expect((await t.as('cadre-1', '/api/work-orders/rankings?scope=county')).statusCode).toBe(403)
    const village = await t.as('leader', '/api/work-orders/rankings?scope=village:1')
    expect(village.statusCode).toBe(400)
    expect(village.json().message).toContain('scope')
  })
})

describe('the loop by role and town (问、派、转、办、审、回)', () => {
  // who may take a step on an order, with the order made for each caller: town scope on the
  // import and on orders one reported, and the separated duties (审 by another, 评 by the reporter)
  const LOOP_ROLES = ['admin', 'leader', 'dispatcher', 'town-dispatcher', 'cadre-1', 'gwA'] as const
  const who = (r: (typeof LOOP_ROLES)[number]) => (r === 'gwA' ? `gw-${ids.gridA}` : r)
  /** an order in `state` in grid A or B, reported by `reporter`, handled last by `handler` */
  const order = async (o: { grid: number; state: string; source: string; reporter: string; handler?: string; rating?: number }) => {
    const p = await place(o.grid)
    const { rows } = await t.db.query<{ id: number }>(
      `INSERT INTO work_orders (category, description, source, geom, grid_id, village_id, assignee_village_id, state, state_since, deadline_at, reporter, created_at)
       SELECT 'road', '路面破损', $1, ST_SetSRID(ST_MakePoint($2, $3), 4326), g.id, g.village_id, g.village_id, $4, now(), now() + interval '1 day', $5, now()
         FROM grids g WHERE g.id = $6 RETURNING id`, [o.source, p.lon, p.lat, o.state, o.reporter, o.grid])
    if (o.handler) {
      await t.db.query(`INSERT INTO work_order_history (order_id, action, from_state, to_state, actor, actor_role, at) VALUES ($1, 'handle', 'dispatched', 'handled', $2, 'x', now())`,
        [rows[0].id, o.handler])
    }
    if (o.rating) {
      await t.db.query('UPDATE work_orders SET satisfaction = $2, closed_at = now() WHERE id = $1', [rows[0].id, o.rating])
      await t.db.query(`INSERT INTO work_order_history (order_id, action, from_state, to_state, actor, actor_role, at, detail) VALUES ($1, 'rate', 'replied', 'closed', '#resident', 'resident', now(), $2)`,
        [rows[0].id, JSON.stringify({ satisfaction: o.rating })])
    }
    return rows[0].id
  }
  const act = (u: string, id: number, body: Record<string, unknown>) => t.as(u, { method: 'POST', url: `/api/work-orders/${id}/actions`, payload: body })
  const HEAD = '工单编号,受理时间,类别,诉求内容,地址,经度,纬度,来电人,联系电话'
  let calls = 0
  const TABLE: [string, (u: string) => Promise<{ statusCode: number }>, number[]][] = [
    //                                                                               admin leader disp townD cadreA gwA
    ['preview a 12345 call placed in town 2', async (u) => {
      const p = await place(ids.gridB)
      const csv = [HEAD, `LOOP-${++calls},2026-11-03 09:15,道路设施,路面塌陷,,${p.lon},${p.lat},李先生,13900001111`].join('\n')
      return t.as(u, { method: 'POST', url: '/api/work-orders/import?dryRun=1', headers: { 'content-type': 'text/csv' }, payload: Buffer.from(csv) })
    }, [200, 403, 200, 422, 403, 403]],
    ['read an order they reported in town 2', async (u) => t.as(u, `/api/work-orders/${await order({ grid: ids.gridB, state: 'asked', source: 'center', reporter: u })}`),
      [200, 200, 200, 403, 403, 403]],
    ['review an order they handled', async (u) => act(u, await order({ grid: ids.gridA, state: 'handled', source: 'center', reporter: 'x', handler: u }), { action: 'review' }),
      [403, 403, 403, 403, 403, 403]],
    ['review an order another handled', async (u) => act(u, await order({ grid: ids.gridA, state: 'handled', source: 'center', reporter: 'x', handler: 'someone-else' }), { action: 'review' }),
      [200, 200, 200, 200, 403, 403]],
    ["rate a resident's report", async (u) => act(u, await order({ grid: ids.gridA, state: 'replied', source: 'resident', reporter: '#resident' }), { action: 'rate', satisfaction: 5 }),
      [403, 403, 403, 403, 403, 403]],
    ['rate for a hotline caller (代评)', async (u) => act(u, await order({ grid: ids.gridA, state: 'replied', source: 'hotline', reporter: 'dispatcher' }), { action: 'rate', satisfaction: 5 }),
      [200, 403, 200, 200, 403, 403]],
    ['rate their own report', async (u) => act(u, await order({ grid: ids.gridA, state: 'replied', source: 'gridWorker', reporter: u }), { action: 'rate', satisfaction: 5 }),
      [200, 200, 200, 200, 200, 200]],
    ["rate someone else's report", async (u) => act(u, await order({ grid: ids.gridA, state: 'replied', source: 'gridWorker', reporter: 'someone-else' }), { action: 'rate', satisfaction: 5 }),
      [403, 403, 403, 403, 403, 403]],
    ['reopen a closed order (重办)', async (u) => act(u, await order({ grid: ids.gridA, state: 'closed', source: 'resident', reporter: '#resident' }), { action: 'reopen', note: '群众不满意' }),
      [200, 403, 200, 200, 403, 403]],
    ['keep a low-rated order closed (维持办结)', async (u) => act(u, await order({ grid: ids.gridA, state: 'closed', source: 'resident', reporter: '#resident', rating: 1 }), { action: 'keep', note: '已回访说明情况' }),
      [200, 403, 200, 200, 403, 403]],
    ["invalidate a resident's report (作废)", async (u) => act(u, await order({ grid: ids.gridA, state: 'asked', source: 'resident', reporter: '#resident' }), { action: 'invalidate', note: '广告' }),
      [200, 403, 200, 200, 403, 403]],
    ['merge a hotline order in town 2 (合并)', async (u) => act(u, await order({ grid: ids.gridB, state: 'asked', source: 'hotline', reporter: 'x' }), { action: 'merge', note: '重复', mergeInto: ids.orderB }),
      [200, 403, 200, 403, 403, 403]],
  ]

  it('answers every step as the separated duties and the town scope say', async () => {
    const wrong: string[] = []
    for (const [name, request, expected] of TABLE) {
      for (const [i, role] of LOOP_ROLES.entries()) {
        const res = await request(who(role))
        if (res.statusCode !== expected[i]) wrong.push(`${name} as ${role}: ${res.statusCode}, expected ${expected[i]}`)
      }
    }
    expect(wrong).toEqual([])
  })
})
