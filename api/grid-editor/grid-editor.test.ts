import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { hashPassword } from '../auth/password.ts'
import { insertUsers } from '../auth/repository.ts'
import { TEST_PASSWORD } from '../test/password.ts'

// 网格划分 on a village of a town of its own, far from the demo's: its outline and three grids
// come in through the boundary import, households are put at known points, and every edit is
// checked against what PostGIS and the tables then hold.

let t: TestApp
let villageId: number
const id: Record<string, number> = {}
const LON = 118.0
const LAT = 37.0
type Ring = [number, number][]
/** a rectangle in the village's own units: x and y in thousandths of a degree from its south-west corner */
const box = (x0: number, y0: number, x1: number, y1: number): Ring =>
  [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]].map(([x, y]) => [LON + x / 1000, LAT + y / 1000] as [number, number])
const at = (x: number, y: number): [number, number] => [LON + x / 1000, LAT + y / 1000]
const poly = (...rings: Ring[]) => ({ type: 'Polygon', coordinates: rings })

const importGeo = (level: string, features: { props: Record<string, string>; ring: Ring }[]) => t.as('admin', {
  method: 'POST', url: `/api/imports/boundaries?level=${level}&town=T-EDIT`, headers: { 'content-type': 'application/geo+json' },
  payload: JSON.stringify({ type: 'FeatureCollection', features: features.map((f) => ({ type: 'Feature', properties: f.props, geometry: poly(f.ring) })) }),
})
const edit = (method: 'POST' | 'PUT' | 'PATCH', url: string, payload: unknown, who = 'admin') => t.as(who, { method, url, payload: payload as Record<string, unknown> })

/** each current grid of the village: id → area in m² and households by point, and its roll-up */
async function state() {
  const r = await t.db.query<{ id: number; code: string; name: string; kind: string; area: number; households: number; rollup: number | null }>(
    `SELECT g.id, g.code, g.name, g.kind, ST_Area(g.geom::geography) AS area,
            (SELECT count(*)::int FROM households h WHERE h.grid_id = g.id) AS households,
            (SELECT households FROM grid_rollup ru WHERE ru.grid_id = g.id) AS rollup
       FROM grids g WHERE g.village_id = $1 AND g.retired_at IS NULL ORDER BY g.id`, [villageId])
  return r.rows
}
/** everything an edit may write, to tell that a dry run wrote nothing */
const fingerprint = async () => (await t.db.query<{ f: string }>(
  `SELECT md5(concat_ws('|',
     (SELECT string_agg(id || ':' || code || ':' || name || ':' || coalesce(retired_at::text, '') || ':' || ST_AsText(geom), ',' ORDER BY id) FROM grids WHERE village_id = $1),
     (SELECT string_agg(id || ':' || coalesce(grid_id, 0), ',' ORDER BY id) FROM households WHERE village_id = $1),
     (SELECT count(*) FROM audit_log))) AS f`, [villageId])).rows[0].f
/** the roll-ups equal a recount of the households */
const rollupsRight = async () => (await state()).every((g) => (g.rollup ?? 0) === g.households)
const householdAt = async (x: number, y: number) => (await t.db.query<{ id: number }>(
  `INSERT INTO households (grid_id, address, house_number, geom)
   SELECT g.id, '编辑村', $3, p FROM (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326) AS p) x JOIN grids g ON g.retired_at IS NULL AND ST_Covers(g.geom, p)
   ORDER BY g.id LIMIT 1 RETURNING id`, [...at(x, y), `${x}-${y}`])).rows[0].id
const gridOf = async (household: number) => (await t.db.query<{ grid_id: number }>('SELECT grid_id FROM households WHERE id = $1', [household])).rows[0].grid_id

beforeAll(async () => {
  t = await openTestApp()
  await t.db.query(`INSERT INTO towns (code, name) VALUES ('T-EDIT', '编辑镇')`)
  const v = await importGeo('village', [{ props: { 村名: '编辑村', 村代码: '370000009901' }, ring: box(0, 0, 20, 20) }])
  expect(v.statusCode, v.body).toBe(200)
  villageId = v.json().items[0].id
  // west half, south-east and north-east quarters
  const g = await importGeo('grid', [
    { props: { 网格名称: '西网格', 网格编码: 'E-W', 所属村: '编辑村' }, ring: box(0, 0, 10, 20) },
    { props: { 网格名称: '东南网格', 网格编码: 'E-SE', 所属村: '编辑村' }, ring: box(10, 0, 20, 10) },
    { props: { 网格名称: '东北网格', 网格编码: 'E-NE', 所属村: '编辑村' }, ring: box(10, 10, 20, 20) },
  ])
  expect(g.statusCode, g.body).toBe(200)
  for (const i of g.json().items) id[i.code] = i.id
  const passwordHash = await hashPassword(TEST_PASSWORD)
  await insertUsers(t.db, [
    { username: 'edit-gw-west', displayName: '王西', role: 'gridWorker', gridId: id['E-W'], passwordHash },
    { username: 'edit-gw-se', displayName: '李东', role: 'gridWorker', gridId: id['E-SE'], passwordHash },
  ])
})
afterAll(async () => t?.close())

describe('切分: a grid cut by a line', () => {
  it('answers a dry run with the two grids it would make and writes nothing', async () => {
    const h = await householdAt(5, 17)
    const before = await fingerprint()
    const res = await edit('POST', `/api/grids/${id['E-W']}/split?dryRun=1`, { line: { type: 'LineString', coordinates: [at(-1, 12), at(11, 12)] } })
    expect(res.statusCode, res.body).toBe(200)
    const r = res.json()
    expect(r).toMatchObject({ action: 'split', dryRun: true, applied: false, problems: [], householdsMoved: 1 })
    expect(r.grids.filter((g: { change: string }) => g.change !== 'unchanged').map((g: { id: number | null; code: string; change: string }) => [g.id, g.code, g.change]))
      .toEqual([[id['E-W'], 'E-W', 'changed'], [null, 'E-W-2', 'new']])
    expect(await fingerprint()).toBe(before)
    expect(await gridOf(h)).toBe(id['E-W'])
  })

  it('keeps the larger part as the grid (id, code, worker), makes the other a new grid and moves its households', async () => {
    const south = await householdAt(5, 3)
    const north = await householdAt(5, 16)
    const audits = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'gridEdit'`)).rows[0].n
    const res = await edit('POST', `/api/grids/${id['E-W']}/split`, { line: { type: 'LineString', coordinates: [at(-1, 12), at(11, 12)] } })
    expect(res.statusCode, res.body).toBe(200)
    const made = res.json().grids.find((g: { change: string }) => g.change === 'new')
    expect(made).toMatchObject({ code: 'E-W-2', name: '西网格-2', kind: 'base' })
    id['E-W-2'] = made.id
    const s = await state()
    const west = s.find((g) => g.id === id['E-W'])!
    const cut = s.find((g) => g.id === id['E-W-2'])!
    // 12 and 8 thousandths of the 10 × 20 half
    expect(west.area / cut.area).toBeCloseTo(12 / 8, 1)
    expect(await gridOf(south)).toBe(id['E-W'])
    expect(await gridOf(north)).toBe(id['E-W-2'])
    expect(res.json().householdsMoved).toBe(2)
    expect(await rollupsRight()).toBe(true)
    const worker = (await t.db.query<{ grid_id: number }>(`SELECT grid_id FROM users WHERE username = 'edit-gw-west'`)).rows[0]
    expect(worker.grid_id).toBe(id['E-W'])
    const audit = await t.db.query<{ reason: string }>(`SELECT reason FROM audit_log WHERE action = 'gridEdit' ORDER BY id DESC LIMIT 1`)
    expect((await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'gridEdit'`)).rows[0].n).toBe(audits + 1)
    expect(audit.rows[0].reason).toMatch(/split 西网格 \(E-W\).*E-W-2/)
  })

  it('refuses a line that does not cross the grid, and one that cuts it in three, with their reasons', async () => {
    const short = await edit('POST', `/api/grids/${id['E-W']}/split`, { line: { type: 'LineString', coordinates: [at(-1, 6), at(5, 6)] } })
    expect(short.statusCode).toBe(400)
    expect(short.json()).toMatchObject({ code: 'line_not_across', message: expect.stringMatching(/^body\/line .*西网格/) })
    const zigzag = await edit('POST', `/api/grids/${id['E-W']}/split`, { line: { type: 'LineString', coordinates: [at(3, -1), at(3, 13), at(6, 13), at(6, -1)] } })
    expect(zigzag.statusCode).toBe(400)
    expect(zigzag.json().code).toBe('line_cuts_many')
    const bad = await edit('POST', `/api/grids/${id['E-W']}/split`, { line: { type: 'LineString', coordinates: [[200, 10], [201, 11]] } })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().message).toMatch(/^body\/line\/coordinates\/0/)
  })
})

describe('合并: neighbouring grids become one', () => {
  it('refuses grids that share no boundary', async () => {
    const res = await edit('POST', '/api/grids/merge', { ids: [id['E-W-2'], id['E-SE']] })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'grids_not_adjacent', message: expect.stringContaining('东南网格 (E-SE)') })
  })

  it('gives the kept grid the union, retires the other and moves its households', async () => {
    const ne = await householdAt(15, 15)
    const dry = await edit('POST', '/api/grids/merge?dryRun=1', { ids: [id['E-NE'], id['E-SE']] })
    expect(dry.json()).toMatchObject({ dryRun: true, applied: false, retired: [{ id: id['E-NE'], name: '东北网格' }], householdsMoved: 1 })
    const before = await state()
    const area = before.filter((g) => g.id === id['E-SE'] || g.id === id['E-NE']).reduce((s, g) => s + g.area, 0)
    const res = await edit('POST', '/api/grids/merge', { ids: [id['E-NE'], id['E-SE']] })
    expect(res.statusCode, res.body).toBe(200)
    // the larger (south: a degree of longitude is longer there) is kept
    expect(res.json().retired).toEqual([{ id: id['E-NE'], name: '东北网格' }])
    const after = await state()
    expect(after.map((g) => g.id)).not.toContain(id['E-NE'])
    expect(after.find((g) => g.id === id['E-SE'])!.area).toBeCloseTo(area, -1)
    expect(await gridOf(ne)).toBe(id['E-SE'])
    expect(await rollupsRight()).toBe(true)
    const retired = (await t.db.query<{ retired: boolean }>('SELECT retired_at IS NOT NULL AS retired FROM grids WHERE id = $1', [id['E-NE']])).rows[0]
    expect(retired.retired).toBe(true)
  })
})

describe('调整边界: a grid reshaped', () => {
  it('takes land from its neighbour and gives what it leaves to the neighbour it borders longest', async () => {
    const h = await householdAt(11, 5)
    // 西网格 (0..10 × 0..12) pushed east to 12 over its whole height: 东南 gives up 2 × 12
    const wider = await edit('PUT', `/api/grids/${id['E-W']}/geometry`, { geometry: poly(box(0, 0, 12, 12)) })
    expect(wider.statusCode, wider.body).toBe(200)
    expect(wider.json().problems).toEqual([])
    // only the two grids whose land moved are changed; 西网格-2, which it only touches, is not
    expect(wider.json().grids.filter((g: { change: string }) => g.change !== 'unchanged').map((g: { code: string }) => g.code).sort()).toEqual(['E-SE', 'E-W'])
    expect(await gridOf(h)).toBe(id['E-W'])
    // and back west to 8: the strip 8..12 borders 东南 along 14 (its east side and 2 of its top), 西网格-2 along 2: 东南 takes it
    const narrower = await edit('PUT', `/api/grids/${id['E-W']}/geometry`, { geometry: poly(box(0, 0, 8, 12)) })
    expect(narrower.statusCode, narrower.body).toBe(200)
    expect(await gridOf(h)).toBe(id['E-SE'])
    const s = await state()
    expect(s.find((g) => g.id === id['E-W'])!.area / s.find((g) => g.id === id['E-W-2'])!.area).toBeCloseTo((8 * 12) / (10 * 8), 1)
    expect(await rollupsRight()).toBe(true)
  })

  it('refuses (422) a shape that would leave a gap, naming it, and writes nothing', async () => {
    const before = await fingerprint()
    const res = await edit('PUT', `/api/grids/${id['E-W']}/geometry`, { geometry: poly(box(0, 0, 8, 12), box(2, 2, 5, 5)) })
    expect(res.statusCode).toBe(422)
    expect(res.json()).toMatchObject({ code: 'boundary_problems', applied: false })
    const gap = res.json().problems.find((p: { kind: string }) => p.kind === 'gap')
    expect(gap.features).toContain('编辑村 (村)')
    // 3 × 3 thousandths of a degree: about 333 m × 267 m
    expect(gap.areaM2).toBeGreaterThan(80_000)
    expect(gap.areaM2).toBeLessThan(95_000)
    expect(gap.point[0]).toBeGreaterThan(LON + 0.002)
    expect(gap.point[0]).toBeLessThan(LON + 0.005)
    expect(await fingerprint()).toBe(before)
  })
})

describe('新建专属网格: an exclusive grid drawn over base grids', () => {
  it('is carved out of the base grids it covers and takes the households inside it', async () => {
    const inSchool = await householdAt(14, 14)
    const before = await state()
    const se = before.find((g) => g.id === id['E-SE'])!
    const res = await edit('POST', '/api/grids', { villageId, name: '实验小学', code: 'E-SCHOOL', kind: 'exclusive', geometry: poly(box(13, 13, 16, 16)) })
    expect(res.statusCode, res.body).toBe(200)
    const school = res.json().grids.find((g: { code: string }) => g.code === 'E-SCHOOL')
    expect(school).toMatchObject({ kind: 'exclusive', change: 'new' })
    const after = await state()
    const schoolRow = after.find((g) => g.id === school.id)!
    expect(schoolRow.kind).toBe('exclusive')
    expect(after.find((g) => g.id === id['E-SE'])!.area).toBeCloseTo(se.area - schoolRow.area, -1)
    expect(await gridOf(inSchool)).toBe(school.id)
    expect(await rollupsRight()).toBe(true)
    // a second one over the first is an overlap, refused
    const twice = await edit('POST', '/api/grids', { villageId, name: '幼儿园', code: 'E-KG', geometry: poly(box(15, 15, 18, 18)) })
    expect(twice.statusCode).toBe(422)
    expect(twice.json().problems.find((p: { kind: string }) => p.kind === 'overlap').features).toEqual(expect.arrayContaining(['实验小学 (E-SCHOOL)', '幼儿园 (E-KG)']))
    // and a code another grid has is named
    const taken = await edit('POST', '/api/grids?dryRun=1', { villageId, name: '卫生室', code: 'E-W', geometry: poly(box(1, 1, 2, 2)) })
    expect(taken.json().problems.map((p: { kind: string }) => p.kind)).toContain('duplicateCode')
  })
})

describe('重命名 / 指定网格员', () => {
  const worker = async (username: string) => (await t.db.query<{ id: number; grid_id: number | null }>('SELECT id, grid_id FROM users WHERE username = $1', [username])).rows[0]
  const card = async (grid: number) => (await t.db.query<{ name: string; phone: string }>('SELECT grid_worker_name AS name, grid_worker_phone AS phone FROM grids WHERE id = $1', [grid])).rows[0]

  it("gives a grid one worker: the grid's previous worker is unbound, the account's previous grid loses her, the cards follow", async () => {
    const token = await t.token('edit-gw-se')
    expect((await t.app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200)
    const li = await worker('edit-gw-se')
    await t.db.query(`UPDATE grids SET grid_worker_name = '李东', grid_worker_phone = '13900000000' WHERE id = $1`, [id['E-SE']])
    const res = await edit('PATCH', `/api/grids/${id['E-W']}`, { workerUserId: li.id, workerPhone: '13800001111' })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ id: id['E-W'], worker: { userId: li.id, username: 'edit-gw-se', displayName: '李东' }, workerName: '李东' })
    expect(res.json().workerPhone).not.toBe('13800001111')
    expect((await worker('edit-gw-se')).grid_id).toBe(id['E-W'])
    expect((await worker('edit-gw-west')).grid_id).toBeNull()
    expect(await card(id['E-W'])).toEqual({ name: '李东', phone: '13800001111' })
    expect(await card(id['E-SE'])).toEqual({ name: '', phone: '' })
    // her old session carried her old grid: it is over
    expect((await t.app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401)
    // the unbound worker still signs in, to a scope of nothing: her old grid is closed to her
    const unbound = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'edit-gw-west', password: TEST_PASSWORD } })
    expect(unbound.statusCode).toBe(200)
    const bearer = { authorization: `Bearer ${unbound.json().token}` }
    expect((await t.app.inject({ url: '/api/auth/me', headers: bearer })).json()).toMatchObject({ gridId: null })
    expect((await t.app.inject({ url: `/api/households?grid=${id['E-W']}`, headers: bearer })).statusCode).toBe(403)
    const workers = (await t.as('admin', `/api/grid-workers?village=${villageId}`)).json() as { username: string; gridId: number | null }[]
    expect(workers.find((w) => w.username === 'edit-gw-west')).toMatchObject({ gridId: null })
    expect(workers.find((w) => w.username === 'edit-gw-se')).toMatchObject({ gridId: id['E-W'] })
  })

  it('renames, and refuses a name the village has, a code the county has, and an account that is not a grid worker', async () => {
    expect((await edit('PATCH', `/api/grids/${id['E-W']}`, { name: '西南网格', code: 'E-SW' })).json()).toMatchObject({ name: '西南网格', code: 'E-SW' })
    const name = await edit('PATCH', `/api/grids/${id['E-W']}`, { name: '西网格-2' })
    expect(name.statusCode).toBe(409)
    expect(name.json().code).toBe('grid_name_taken')
    const code = await edit('PATCH', `/api/grids/${id['E-W']}`, { code: 'E-NE' })
    expect(code.statusCode).toBe(409)
    expect(code.json()).toMatchObject({ code: 'grid_code_taken', message: expect.stringContaining('东北网格') })
    const admin = (await t.db.query<{ id: number }>(`SELECT id FROM users WHERE username = 'admin'`)).rows[0].id
    const notWorker = await edit('PATCH', `/api/grids/${id['E-W']}`, { workerUserId: admin })
    expect(notWorker.statusCode).toBe(400)
    expect(notWorker.json()).toMatchObject({ code: 'worker_not_grid_worker', message: expect.stringMatching(/^body\/workerUserId/) })
    const none = await edit('PATCH', `/api/grids/${id['E-W']}`, { workerUserId: null })
    expect(none.json()).toMatchObject({ worker: null, workerName: '' })
    expect((await worker('edit-gw-se')).grid_id).toBeNull()
    expect((await edit('PATCH', `/api/grids/${id['E-NE']}`, { name: '旧网格' })).json().code).toBe('grid_retired')
  })
})

describe('who may edit', () => {
  it('refuses every edit to anyone but the admin (403), before reading the body', async () => {
    for (const who of ['leader', 'dispatcher', 'cadre-1', 'display']) {
      const answers = [
        await edit('POST', `/api/grids/${id['E-W']}/split`, { line: { type: 'LineString', coordinates: [at(-1, 6), at(11, 6)] } }, who),
        await edit('POST', '/api/grids/merge', { ids: [id['E-W'], id['E-W-2']] }, who),
        await edit('PUT', `/api/grids/${id['E-W']}/geometry`, { geometry: poly(box(0, 0, 9, 12)) }, who),
        await edit('POST', '/api/grids', { villageId, name: '市场', code: 'E-MKT', geometry: poly(box(1, 1, 2, 2)) }, who),
        await edit('PATCH', `/api/grids/${id['E-W']}`, { name: '改名' }, who),
        await t.as(who, `/api/grid-workers?village=${villageId}`),
      ]
      expect(answers.map((a) => a.statusCode), who).toEqual([403, 403, 403, 403, 403, 403])
    }
  })
})

describe('the demo township', () => {
  it("passes the 四无 check as it is: a grid's own shape sent back changes nothing", async () => {
    const g = (await t.db.query<{ id: number; geometry: unknown }>(
      `SELECT id, ST_AsGeoJSON(geom)::json AS geometry FROM grids WHERE village_id = 1 AND retired_at IS NULL ORDER BY id LIMIT 1`)).rows[0]
    const res = await edit('PUT', `/api/grids/${g.id}/geometry?dryRun=1`, { geometry: g.geometry })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ problems: [], householdsMoved: 0 })
    expect(res.json().grids.every((x: { change: string }) => x.change === 'unchanged')).toBe(true)
  })
})
