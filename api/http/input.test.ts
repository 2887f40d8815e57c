import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { DATE_YEAR_PATTERN } from './dates.ts'

// No 500 from input: a NUL character anywhere, a date PostgreSQL cannot hold, two identical
// uploads at the same moment. Each is a 4xx naming its field, or succeeds.
let t: TestApp
let grid: { id: number; lon: number; lat: number }
let vehicle: number
beforeAll(async () => {
  t = await openTestApp()
  grid = (await t.db.query<{ id: number; lon: number; lat: number }>(`SELECT id, ST_X(label_point) AS lon, ST_Y(label_point) AS lat FROM grids WHERE kind = 'base' ORDER BY id LIMIT 1 OFFSET 9`)).rows[0]
  vehicle = (await t.db.query<{ id: number }>('SELECT id FROM vehicles ORDER BY id LIMIT 1')).rows[0].id
})
afterAll(async () => t?.close())

const HOTLINE_HEAD = '工单编号,受理时间,类别,诉求内容,地址,经度,纬度,来电人,联系电话'

describe('NUL characters', () => {
  it('are refused in any string of a JSON body, a querystring or a path, anonymous or not, naming the field', async () => {
    const cases: [string | null, string, string, unknown, RegExp][] = [
      [null, 'POST', '/api/public/reports', { category: 'garbage', description: '垃圾\u0000没人清理', lon: grid.lon, lat: grid.lat }, /^body\/description /],
      [null, 'POST', '/api/auth/login', { username: 'admin', password: 'x\u0000y' }, /^body\/password /],
      [`gw-${grid.id}`, 'POST', '/api/work-orders', { category: 'road', description: '路面\u0000破损', lon: grid.lon, lat: grid.lat }, /^body\/description /],
      [`gw-${grid.id}`, 'POST', '/api/work-orders', { category: 'road', description: '路面破损了', lon: grid.lon, lat: grid.lat, 'x\u0000': 1 }, /^body\/x\\u0000 /],
      ['dispatcher', 'GET', '/api/work-orders?q=%00', undefined, /^querystring\/q /],
      ['admin', 'GET', '/api/search?q=a%00b', undefined, /^querystring\/q /],
      [null, 'GET', '/api/public/reports/ABCDE%0012345', undefined, /^params\/trackingCode /],
    ]
    for (const [who, method, url, payload, field] of cases) {
      const req = { method: method as 'GET', url, ...(payload !== undefined ? { payload: payload as object } : {}) }
      const res = who ? await t.as(who, req) : await t.app.inject(req)
      expect(res.statusCode, `${method} ${url}`).toBe(400)
      expect(res.json().message, `${method} ${url}`).toMatch(field)
      expect(res.json().message).toMatch(/NUL/)
    }
    // nested deep in an array
    const deep = await t.as('dispatcher', { method: 'POST', url: '/api/vehicles/positions', payload: { positions: [{ vehicleId: vehicle, time: new Date().toISOString(), lon: grid.lon, lat: grid.lat, extra: ['ok', 'n\u0000o'] }] } })
    expect(deep.statusCode).toBe(400)
    expect(deep.json().message).toMatch(/^body\/positions\/0\/extra\/1 /)
  })

  it('in a hotline file are a refused row, not a 500', async () => {
    const csv = [HOTLINE_HEAD, ['N-001', '2026-11-03 09:15', '环境卫生', '垃圾\u0000堆放', '店子镇', grid.lon, grid.lat, '王先生', '13800001111'].join(',')].join('\n')
    const res = await t.as('dispatcher', { method: 'POST', url: '/api/work-orders/import', headers: { 'content-type': 'text/csv' }, payload: Buffer.from(csv) })
    expect(res.statusCode).toBeLessThan(500)
    expect(res.statusCode).toBe(422)
    expect(res.json().errors[0]).toMatchObject({ row: 2, field: 'description' })
  })
})

describe('dates', () => {
  const EXTREME_DAYS = ['99999-01-01', '0000-00-00', '0000-01-01', '0001-01-01', '10000-01-01', '2026-02-30', '9999-12-31', '1899-12-31']

  it('every date a route takes is checked by the one shared schema (a real day, 1900–2999)', () => {
    const doc = t.app.swagger() as { paths: Record<string, Record<string, { parameters?: { name: string; schema?: Record<string, unknown> }[]; requestBody?: { content?: Record<string, { schema?: unknown }> } }>> }
    const found: string[] = []
    const visit = (where: string, schema: unknown) => {
      if (!schema || typeof schema !== 'object') return
      const s = schema as Record<string, unknown>
      if (s.format === 'date' || s.format === 'date-time') {
        found.push(where)
        expect(s.pattern, where).toBe(DATE_YEAR_PATTERN)
      }
      for (const [k, v] of Object.entries(s)) if (typeof v === 'object') visit(`${where}/${k}`, v)
    }
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const p of op.parameters ?? []) visit(`${method} ${path} ${p.name}`, p.schema)
        for (const c of Object.values(op.requestBody?.content ?? {})) visit(`${method} ${path} body`, c.schema)
      }
    }
    expect(found.length).toBeGreaterThanOrEqual(8)
  })

  it('out of range or impossible are a 400 naming the field', async () => {
    for (const day of EXTREME_DAYS) {
      const checks: [string, string, RegExp][] = [
        ['dispatcher', `/api/work-orders?from=${day}T00:00:00Z`, /^querystring\/from /],
        ['admin', `/api/vehicles/${vehicle}/track?from=${day}T00:00:00Z&to=${day}T01:00:00Z`, /^querystring\/from /],
        ['admin', `/api/vehicles/report.csv?date=${day}`, /^querystring\/date /],
        ['admin', `/api/vehicles/report.xlsx?date=${day}`, /^querystring\/date /],
      ]
      for (const [who, url, field] of checks) {
        const res = await t.as(who, url)
        expect(res.statusCode, url).toBe(400)
        expect(res.json().message, url).toMatch(field)
      }
      const born = await t.as(`gw-${grid.id}`, {
        method: 'POST', url: '/api/residents',
        payload: { householdId: 1, name: '张三', idNumber: '110101199001011237', gender: '男', birthDate: day, relation: '子' },
      })
      expect(born.statusCode, day).toBe(400)
      expect(born.json().message, day).toMatch(/^body\/birthDate /)
    }
    expect((await t.as('dispatcher', '/api/work-orders?from=0000-01-01T00:00:00Z')).json().message).toMatch(/1900–2999/)
  })

  it('in a hotline file out of range are a refused row, not a 500', async () => {
    for (const time of ['0000-01-01 00:00', '0001-01-01 00:00', '1000-01-01T00:00:00Z']) {
      const csv = [HOTLINE_HEAD, ['D-001', time, '环境卫生', '垃圾堆放', '店子镇', grid.lon, grid.lat, '王先生', '13800001111'].join(',')].join('\n')
      const res = await t.as('dispatcher', { method: 'POST', url: '/api/work-orders/import', headers: { 'content-type': 'text/csv' }, payload: Buffer.from(csv) })
      expect(res.statusCode, time).toBe(422)
      expect(res.json().errors[0], time).toMatchObject({ row: 2, field: 'time' })
    }
  })
})

describe('two identical uploads at the same moment', () => {
  const picture = () => sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 10, g: 200, b: 90 } } }).jpeg().toBuffer()

  it('are one photo, from a signed-in user and from a resident', async () => {
    const bytes = await picture()
    const token = await t.token('dispatcher')
    const staff = () => t.app.inject({ method: 'POST', url: '/api/photos', headers: { 'content-type': 'image/jpeg', authorization: `Bearer ${token}` }, payload: bytes })
    const twins = await Promise.all([staff(), staff(), staff()])
    expect(twins.map((r) => r.statusCode).sort()).toEqual([200, 200, 201])
    expect(new Set(twins.map((r) => r.json().id)).size).toBe(1)
    const resident = () => t.app.inject({ method: 'POST', url: '/api/public/photos', headers: { 'content-type': 'image/jpeg', 'x-upload-key': 'twin-upload-key-000001' }, payload: bytes })
    const residentTwins = await Promise.all([resident(), resident()])
    expect(residentTwins.map((r) => r.statusCode).sort()).toEqual([200, 201])
    expect(residentTwins[0].json().id).toBe(residentTwins[1].json().id)
    // another uploader's copy of the same bytes is a photo of its own, readable
    expect(residentTwins[0].json().id).not.toBe(twins[0].json().id)
    expect((await t.app.inject({ url: `/api/photos/${twins[0].json().id}`, headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200)
  })
})
