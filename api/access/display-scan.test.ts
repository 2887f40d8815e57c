import sharp from 'sharp'
import { io as connect, type Socket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'

// Walks every API response the wall display can get and scans the raw JSON for anything
// that looks like an unmasked ID number, mobile phone number, or a key-group tag; household
// cards and resident records also for any ID number at all, care-group labels and sensitive
// data items (a wall must never receive disability, health, religion or subsistence status).
const ID_NUMBER = /(?<!\d)\d{17}[\dX](?!\d)/
const PHONE = /(?<![\d*])1[3-9]\d{9}(?!\d)/
let KEY_TAG: RegExp
let CARD_LEAKS: [string, RegExp][]

let t: TestApp
beforeAll(async () => {
  t = await openTestApp()
  const tags = async (kind: string) => (await t.db.query<{ tag: string }>('SELECT DISTINCT tag FROM resident_tags WHERE kind = $1', [kind])).rows.map((r) => r.tag)
  KEY_TAG = new RegExp((await tags('key')).join('|'))
  const sensitive = (await t.db.query<{ key: string }>(`SELECT key FROM data_items WHERE sensitive AND key NOT IN ('name', 'idNumber', 'phone')`)).rows.map((r) => r.key)
  CARD_LEAKS = [
    ['care-group label', new RegExp((await tags('care')).join('|'))],
    ['care or key-group field', /"(careGroups|keyGroups|careGroup)"/],
    ['sensitive data item', new RegExp(`"(${sensitive.join('|')})"`)],
    ['masked value', /\*\*\*"/],
    ['ID number field', /"idNumber"/],
    ['data items', /"items"/],
  ]
})
afterAll(async () => t?.close())

function scan(url: string, body: string): string[] {
  const found: string[] = []
  const card = /^\/api\/(households(\/|\?)|residents\/)/.test(url)
  for (const [name, re] of [['ID number', ID_NUMBER], ['phone', PHONE], ['key-group tag', KEY_TAG], ...(card ? CARD_LEAKS : [])] as const) {
    const m = re.exec(body)
    if (m) found.push(`${url}: ${name} ${m[0]}`)
  }
  return found
}

describe('display role', () => {
  it('never receives an unmasked ID number, phone or key-group tag', async () => {
    // households holding key-group and care-group members, so the scan looks where the risk is
    const keyHouseholds = await t.db.query<{ household_id: number; grid_id: number; resident_id: number; name: string }>(
      `(SELECT r.household_id, h.grid_id, r.id AS resident_id, r.name FROM resident_tags k
         JOIN residents r ON r.id = k.resident_id JOIN households h ON h.id = r.household_id
        WHERE k.kind = 'key' ORDER BY r.id LIMIT 40)
       UNION ALL
       (SELECT r.household_id, h.grid_id, r.id AS resident_id, r.name FROM resident_tags k
         JOIN residents r ON r.id = k.resident_id JOIN households h ON h.id = r.household_id
        WHERE k.kind = 'care' AND k.tag IN ('残疾人', '低保对象', '特困人员') ORDER BY r.id LIMIT 40)`,
    )
    expect(keyHouseholds.rows.length).toBeGreaterThan(10)
    const urls = ['/api/health', '/api/auth/me', '/api/town', '/api/villages', '/api/grids', '/api/roads', '/api/grids?village=3', '/api/stats?scope=town', '/api/stats?scope=village:2',
      '/api/facilities', '/api/vehicles', '/api/vehicles/alerts?view=all', '/api/vehicles/dispatches?active=0',
      `/api/vehicles/report.csv?date=${new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())}`]
    for (const k of keyHouseholds.rows) {
      urls.push(`/api/search?q=${encodeURIComponent(k.name)}`, `/api/stats?scope=grid:${k.grid_id}`, `/api/households?grid=${k.grid_id}`, `/api/households/${k.household_id}`, `/api/residents/${k.resident_id}`)
    }
    const problems: string[] = []
    let scanned = 0
    for (const url of [...new Set(urls)]) {
      const res = await t.as('display', url)
      expect(res.statusCode, url).toBe(200)
      problems.push(...scan(url, res.body))
      scanned += res.body.length
    }
    // the same residents asked for unmasked are refused, not leaked
    for (const k of keyHouseholds.rows.slice(0, 5)) {
      const res = await t.as('display', `/api/residents/${k.resident_id}?unmask=1&reason=test-reason`)
      expect(res.statusCode).toBe(403)
      problems.push(...scan('unmask', res.body))
    }
    expect(problems).toEqual([])
    expect(scanned).toBeGreaterThan(100_000)
  })

  it('receives no staff free text and no exact place of a sensitive order: lists, one order, its steps, pushes, dispatches, heat, photos', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    const url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`
    const listen = async (who: string) => {
      const socket = connect(url, { auth: { token: await t.token(who) }, transports: ['websocket'], reconnection: false })
      const got = { orders: [] as { id: number; [k: string]: unknown }[], dispatches: [] as { id: number }[], raw: [] as string[] }
      socket.on('workOrder', (o) => (got.orders.push(o), got.raw.push(JSON.stringify(o))))
      socket.on('dispatch', (d) => (got.dispatches.push(d), got.raw.push(JSON.stringify(d))))
      await new Promise((r) => socket.once('hello', r))
      return { socket, got }
    }
    const sockets: Socket[] = []
    try {
      const wall = await listen('display')
      const staff = await listen('leader')
      sockets.push(wall.socket, staff.socket)
      // a 低保 request placed at the family's door, free text with phone numbers, as staff write them
      const home = (await t.db.query<{ grid_id: number; lon: number; lat: number; label_lon: number; label_lat: number; road_lon: number; road_lat: number }>(
        `SELECT h.grid_id, ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat, ST_X(g.label_point) AS label_lon, ST_Y(g.label_point) AS label_lat,
                ST_X(n.geom) AS road_lon, ST_Y(n.geom) AS road_lat
           FROM households h JOIN grids g ON g.id = h.grid_id
           JOIN LATERAL (SELECT geom FROM households n WHERE n.grid_id = h.grid_id AND n.id > h.id ORDER BY n.id LIMIT 1) n ON true
          WHERE g.kind = 'base' AND NOT ST_Equals(h.geom, g.label_point) ORDER BY h.id LIMIT 1`)).rows[0]
      const gw = `gw-${home.grid_id}`
      const jpeg = async (r: number) => sharp({ create: { width: 16, height: 16, channels: 3, background: { r, g: 40, b: 90 } } }).jpeg().toBuffer()
      const photo = async (r: number) => (await t.as(gw, { method: 'POST', url: '/api/photos', headers: { 'content-type': 'image/jpeg' }, payload: await jpeg(r) })).json().id as number
      const [welfarePhoto, roadPhoto] = [await photo(60), await photo(70)]
      const report = async (category: string, photoIds: number[], lon: number, lat: number) => {
        const res = await t.as(gw, {
          method: 'POST', url: '/api/work-orders',
          payload: { category, description: `FREETEXT-D 低保复核，联系人 13812345678`, address: 'FREETEXT-A 3号院', lon, lat, photoIds },
        })
        expect(res.statusCode, res.body).toBe(201)
        return res.json().id as number
      }
      const welfare = await report('welfare', [welfarePhoto], home.lon, home.lat)
      const road = await report('road', [roadPhoto], home.road_lon, home.road_lat)
      const step = await t.as('dispatcher', { method: 'POST', url: `/api/work-orders/${welfare}/actions`, payload: { action: 'dispatch', note: 'FREETEXT-N 请联系 13912345678' } })
      expect(step.statusCode, step.body).toBe(200)
      const point = (await t.db.query<{ id: number }>('SELECT id FROM collection_points ORDER BY id LIMIT 1')).rows[0].id
      const sent = await t.as('dispatcher', { method: 'POST', url: '/api/vehicles/1/dispatch', payload: { collectionPointId: point, note: 'FREETEXT-V 司机电话 13700001111' } })
      expect(sent.statusCode, sent.body).toBe(201)
      const until = async (what: string, ok: () => boolean) => {
        for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25))
        expect(ok(), what).toBe(true)
      }
      for (const s of [wall, staff]) {
        await until('the pushes', () => s.got.orders.filter((o) => o.id === welfare).length >= 2 && s.got.orders.some((o) => o.id === road) && s.got.dispatches.length > 0)
      }
      // staff get it all: the scan below would see it
      expect(staff.got.raw.join('\n')).toMatch(/FREETEXT-D[^]*FREETEXT-V/)
      const full = (await t.as('leader', `/api/work-orders/${welfare}`)).json()
      expect(full).toMatchObject({ lon: home.lon, lat: home.lat, description: expect.stringContaining('FREETEXT-D') })

      const bodies: [string, string][] = wall.got.raw.map((r) => ['push', r])
      for (const u of [`/api/work-orders?limit=50`, `/api/work-orders?grid=${home.grid_id}`, `/api/work-orders/${welfare}`, `/api/work-orders/${road}`,
        `/api/work-orders?q=FREETEXT`, `/api/work-orders?q=${welfare}`, '/api/vehicles/dispatches?active=1', '/api/vehicles/dispatches?active=0',
        `/api/work-orders/heat?scope=grid:${home.grid_id}&days=1`, '/api/work-orders/heat?scope=town&days=1']) {
        const res = await t.as('display', u)
        expect(res.statusCode, u).toBe(200)
        bodies.push([u, res.body])
      }
      const exact = [home.lon, home.lat].map((x) => String(Math.round(x * 1e5) / 1e5))
      const leaks = bodies.flatMap(([u, body]) => [
        ...['FREETEXT', '13812345678', '13912345678', '13700001111', `"${gw}"`].filter((m) => body.includes(m)).map((m) => `${u}: ${m}`),
        ...(body.includes(exact[0]) && body.includes(exact[1]) ? [`${u}: the exact place`] : []),
      ])
      expect(leaks).toEqual([])
      // the wall still has what it shows: the order by number, its category, state and grid, its steps and when
      expect((await t.as('display', `/api/work-orders?q=${welfare}`)).json().map((o: { id: number }) => o.id)).toEqual([welfare])
      const shown = (await t.as('display', `/api/work-orders/${welfare}`)).json()
      expect(shown).toMatchObject({ id: welfare, category: 'welfare', state: 'dispatched', gridId: home.grid_id, approximate: true, lon: home.label_lon, lat: home.label_lat })
      expect(shown.history.map((h: { action: string }) => h.action)).toEqual(['create', 'dispatch'])
      expect(shown.history.flatMap((h: { photoIds: number[] }) => h.photoIds)).toEqual([])
      const roadShown = (await t.as('display', `/api/work-orders/${road}`)).json()
      expect(roadShown).toMatchObject({ approximate: false, lon: home.road_lon, lat: home.road_lat })
      expect(roadShown.history[0].photoIds).toEqual([roadPhoto])
      // the photos of a sensitive order stay with staff
      expect((await t.as('display', `/api/photos/${welfarePhoto}/thumb`)).statusCode).toBe(403)
      expect((await t.as('display', `/api/photos/${roadPhoto}/thumb`)).statusCode).toBe(200)
      expect((await t.as('leader', `/api/photos/${welfarePhoto}/thumb`)).statusCode).toBe(200)
      // an admin marks a category sensitive: its orders leave the wall's map at once
      const cat = ((await t.as('admin', '/api/work-orders/categories')).json() as { code: string; name: string; departmentName: string | null; slaHours: object; sensitive: boolean }[])
        .find((c) => c.code === 'road')!
      expect(cat.sensitive).toBe(false)
      const marked = await t.as('admin', { method: 'PUT', url: '/api/work-orders/categories/road', payload: { name: cat.name, departmentName: cat.departmentName, slaHours: cat.slaHours, sensitive: true } })
      expect(marked.json()).toMatchObject({ code: 'road', sensitive: true })
      expect((await t.as('display', `/api/work-orders/${road}`)).json()).toMatchObject({ approximate: true, lon: home.label_lon, lat: home.label_lat })
      // a change that does not name it leaves it as it was
      const renamed = await t.as('admin', { method: 'PUT', url: '/api/work-orders/categories/road', payload: { name: cat.name, departmentName: cat.departmentName, slaHours: cat.slaHours } })
      expect(renamed.json()).toMatchObject({ sensitive: true })
    } finally {
      for (const s of sockets) s.close()
    }
  })

  it('the scan would catch a leak (the patterns match real unmasked data)', async () => {
    const { rows } = await t.db.query<{ resident_id: number }>(`SELECT resident_id FROM resident_tags WHERE kind = 'key' LIMIT 1`)
    const res = await t.as('leader', `/api/residents/${rows[0].resident_id}?unmask=1&reason=${encodeURIComponent('扫描自检')}`)
    const hits = scan('leader', res.body)
    expect(hits.some((h) => h.includes('ID number'))).toBe(true)
    expect(hits.some((h) => h.includes('key-group tag'))).toBe(true)
    // and the card scan catches what a staff member's masked card holds
    const { rows: care } = await t.db.query<{ household_id: number }>(
      `SELECT r.household_id FROM resident_tags k JOIN residents r ON r.id = k.resident_id WHERE k.kind = 'care' LIMIT 1`)
    const url = `/api/households/${care[0].household_id}`
    const staff = scan(url, (await t.as('leader', url)).body)
    for (const name of ['care-group label', 'sensitive data item', 'masked value', 'ID number field']) expect(staff.some((h) => h.includes(name)), name).toBe(true)
  })
})
