import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import type { PublicReportStatus, WorkOrder } from '../../geo/work-orders.ts'

// The residents' channel: no account, every field validated, rate-limited per address and per
// phone, a report reachable only by its tracking code, and nothing of anyone else in answers.
let t: TestApp
let place: { lon: number; lat: number }
let villageId: number
beforeAll(async () => {
  t = await openTestApp({ publicLimits: { reportsPerHour: 25, reportsPerPhonePerHour: 2 } })
  const g = (await t.db.query<{ lon: number; lat: number; village_id: number }>(
    `SELECT ST_X(label_point) AS lon, ST_Y(label_point) AS lat, village_id FROM grids WHERE kind = 'base' ORDER BY id LIMIT 1 OFFSET 30`)).rows[0]
  place = { lon: g.lon, lat: g.lat }
  villageId = g.village_id
})
afterAll(async () => t?.close())

const report = (body: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/public/reports', payload: body })
const status = async (code: string) => (await t.app.inject(`/api/public/reports/${code}`)).json() as PublicReportStatus
const act = (who: string, id: number, body: Record<string, unknown>) => t.as(who, { method: 'POST', url: `/api/work-orders/${id}/actions`, payload: body })
const orderOf = async (code: string) => (await t.db.query<{ id: number }>('SELECT id FROM work_orders WHERE tracking_code = $1', [code])).rows[0].id

describe("the residents' channel", () => {
  it('takes a report with a photo and a phone, and gives a tracking code', async () => {
    const uploadKey = 'k'.repeat(8) + Math.random().toString(36).slice(2, 14).padEnd(12, 'x')
    const jpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 80, b: 20 } } }).jpeg().toBuffer()
    const photo = await t.app.inject({ method: 'POST', url: '/api/public/photos', headers: { 'content-type': 'image/jpeg', 'x-upload-key': uploadKey }, payload: jpeg })
    expect(photo.statusCode).toBe(201)
    const res = await report({ category: 'garbage', description: '村口垃圾桶满溢', ...place, phone: '13700001111', photoIds: [photo.json().id], uploadKey })
    expect(res.statusCode).toBe(201)
    const { trackingCode } = res.json()
    expect(trackingCode).toMatch(/^[0-9A-Z]{10}$/)
    const order = (await t.as('dispatcher', `/api/work-orders/${await orderOf(trackingCode)}`)).json() as WorkOrder
    expect(order).toMatchObject({ source: 'resident', state: 'asked', villageId: villageId })
    expect(order.history![0].photoIds).toEqual([photo.json().id])
    expect(order.caller).toEqual({ name: '', phone: '137****1111' })
    // the photo, named with another key, is refused
    const other = await report({ category: 'garbage', description: '借用他人照片', ...place, photoIds: [photo.json().id], uploadKey: 'z'.repeat(20) })
    expect(other.statusCode).toBe(400)
  })

  it("gives the residents' map the township's public geography, and nothing about people", async () => {
    const res = await t.app.inject('/api/public/basemap')
    expect(res.statusCode).toBe(200)
    const m = res.json()
    expect(m.town.type).toBe('Feature')
    expect(m.roads.features.length).toBeGreaterThan(10)
    expect(m.villages.features).toHaveLength(17)
    expect(Object.keys(m.villages.features[0].properties).sort()).toEqual(['id', 'label', 'name'])
    const cats = (await t.app.inject('/api/public/categories')).json()
    expect(cats.map((c: { code: string }) => c.code)).toContain('garbage')
  })

  it('gives the same tracking code for the same report sent again (an answer lost on a bad line)', async () => {
    const body = { category: 'road', description: '桥头路面塌陷', ...place, clientKey: 'r-page-key-0001' }
    const first = await report(body)
    expect(first.statusCode).toBe(201)
    const again = await report(body)
    expect(again.statusCode).toBe(200)
    expect(again.json().trackingCode).toBe(first.json().trackingCode)
    expect((await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM work_orders WHERE client_key = 'resident:r-page-key-0001'`)).rows[0].n).toBe(1)
  })

  it('validates every field, naming it', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ category: 'garbage', description: 'x', ...place }, /description/],
      [{ category: 'nope!', description: '垃圾没人清理', ...place }, /category/],
      [{ category: 'unknownCat', description: '垃圾没人清理', ...place }, /category/],
      [{ category: 'garbage', description: '垃圾没人清理', lon: 200, lat: 35 }, /lon/],
      [{ category: 'garbage', description: '垃圾没人清理', ...place, phone: '12345' }, /phone/],
      [{ category: 'garbage', description: '垃圾没人清理', ...place, photoIds: [1, 2, 3, 4] }, /photoIds/],
      [{ category: 'garbage', description: '垃圾没人清理', ...place, reporter: 'admin' }, /additional|reporter/],
      [{ category: 'garbage', description: '垃圾没人清理', lon: 100, lat: 10 }, /outside every grid/],
    ]
    for (const [body, field] of cases) {
      const res = await report(body)
      expect([400, 422], JSON.stringify(body)).toContain(res.statusCode)
      expect(res.json().message).toMatch(field)
    }
    expect((await t.app.inject('/api/public/reports/../../etc')).statusCode).toBe(404)
    expect((await t.app.inject('/api/public/reports/NOTACODE99')).statusCode).toBe(404)
  })

  it('shows states and times only: no staff names, notes or personal data', async () => {
    const { trackingCode } = (await report({ category: 'road', description: '路面坑洼影响出行', ...place, phone: '13700002222' })).json()
    const id = await orderOf(trackingCode)
    expect((await act('dispatcher', id, { action: 'dispatch', villageId: villageId, note: '请村干部张三尽快处理' })).statusCode).toBe(200)
    expect((await act(`cadre-${villageId}`, id, { action: 'handle', note: '已由王五修补' })).statusCode).toBe(200)
    const s = await status(trackingCode.toLowerCase())
    expect(s.steps.map((x) => x.label)).toEqual(['已受理', '已派单，正在处理', '已办理完毕'])
    const body = JSON.stringify(s)
    for (const leak of ['dispatcher', 'cadre-', '张三', '王五', '13700002222', 'actor', 'village']) expect(body, leak).not.toContain(leak)
    expect(s).toMatchObject({ state: 'handled', canRate: false, reply: null })
  })

  it('takes a rating only after the answer, and only once', async () => {
    const { trackingCode } = (await report({ category: 'road', description: '路灯不亮已一周', ...place })).json()
    const id = await orderOf(trackingCode)
    const rate = (satisfaction: number) => t.app.inject({ method: 'POST', url: `/api/public/reports/${trackingCode}/rating`, payload: { satisfaction, comment: '处理及时' } })
    expect((await rate(5)).statusCode).toBe(409)
    await act('dispatcher', id, { action: 'dispatch', villageId: villageId })
    await act(`cadre-${villageId}`, id, { action: 'handle', note: '已更换灯泡' })
    await act('leader', id, { action: 'review', approve: true })
    await act('dispatcher', id, { action: 'reply', note: '路灯已修复，感谢您的反映' })
    const before = await status(trackingCode)
    expect(before).toMatchObject({ state: 'replied', canRate: true, reply: '路灯已修复，感谢您的反映' })
    expect((await t.app.inject({ method: 'POST', url: `/api/public/reports/${trackingCode}/rating`, payload: { satisfaction: 9 } })).statusCode).toBe(400)
    const rated = await rate(4)
    expect(rated.statusCode).toBe(200)
    expect(rated.json()).toMatchObject({ state: 'closed', canRate: false, satisfaction: 4 })
    expect((await rate(1)).statusCode).toBe(409)
    const order = (await t.as('dispatcher', `/api/work-orders/${id}`)).json() as WorkOrder
    expect(order).toMatchObject({ satisfaction: 4, ratingComment: '处理及时', state: 'closed' })
    // staff may not rate a resident's order for her
    expect((await act(`cadre-${villageId}`, id, { action: 'rate', satisfaction: 5 })).statusCode).toBe(409)
  })

  it('limits reports per phone and per address (429)', async () => {
    const phone = '13600003333'
    const codes: number[] = []
    for (let i = 0; i < 3; i++) codes.push((await report({ category: 'garbage', description: `第${i}次反映垃圾问题`, ...place, phone })).statusCode)
    expect(codes).toEqual([201, 201, 429])
    let last = 0
    for (let i = 0; i < 30 && last !== 429; i++) last = (await report({ category: 'garbage', description: '垃圾问题再次反映', ...place })).statusCode
    expect(last).toBe(429)
  })

  it("refuses too many reports with one phone as any rate limit does, and only the sender's own", async () => {
    const phone = '13600004444'
    const from = (remoteAddress: string, body: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/public/reports', remoteAddress, payload: body })
    const sent: number[] = []
    for (let i = 0; i < 3; i++) sent.push((await from('10.0.0.1', { category: 'garbage', description: `第${i}次反映垃圾问题`, ...place, phone })).statusCode)
    expect(sent).toEqual([201, 201, 429])
    const byPhone = await from('10.0.0.1', { category: 'garbage', description: '再次反映垃圾问题', ...place, phone })
    // a stranger elsewhere neither learns that this phone reported nor blocks it
    expect((await from('10.0.0.2', { category: 'garbage', description: '用他人号码反映', ...place, phone })).statusCode).toBe(201)
    let byAddress = await from('10.0.0.3', { category: 'garbage', description: '同一地址反复反映', ...place })
    for (let i = 0; i < 30 && byAddress.statusCode !== 429; i++) byAddress = await from('10.0.0.3', { category: 'garbage', description: '同一地址反复反映', ...place })
    expect(byAddress.statusCode).toBe(429)
    const shape = (res: typeof byPhone) => {
      const { message, ...rest } = res.json() as { message: string }
      return { status: res.statusCode, ...rest, message: message.replace(/\d+ (second|minute|hour)s?$/, 'N'), headers: ['retry-after', 'x-ratelimit-remaining'].map((h) => h in res.headers) }
    }
    expect(shape(byPhone)).toEqual(shape(byAddress))
    expect(byPhone.json()).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/^Rate limit exceeded, retry in \d+ (minute|hour)s?$/) })
  })
})
