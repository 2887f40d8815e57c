import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import type { PublicReportStatus } from '../../geo/work-orders.ts'

// A resident sees her own report's photos on its status page (reached by the tracking code, as
// the status is), and nothing else: not the handler's after-photos, not another report's photos.
let t: TestApp
let place: { lon: number; lat: number }
let villageId: number
beforeAll(async () => {
  t = await openTestApp()
  const g = (await t.db.query<{ lon: number; lat: number; village_id: number }>(
    `SELECT ST_X(label_point) AS lon, ST_Y(label_point) AS lat, village_id FROM grids WHERE kind = 'base' ORDER BY id LIMIT 1 OFFSET 40`)).rows[0]
  place = { lon: g.lon, lat: g.lat }
  villageId = g.village_id
})
afterAll(async () => t?.close())

const jpeg = (r: number) => sharp({ create: { width: 64, height: 48, channels: 3, background: { r, g: 80, b: 20 } } }).jpeg().toBuffer()
async function reportWithPhoto(shade: number): Promise<{ code: string; photo: number; id: number }> {
  const uploadKey = `key${shade}`.padEnd(20, 'q')
  const up = await t.app.inject({ method: 'POST', url: '/api/public/photos', headers: { 'content-type': 'image/jpeg', 'x-upload-key': uploadKey }, payload: await jpeg(shade) })
  expect(up.statusCode).toBe(201)
  const res = await t.app.inject({ method: 'POST', url: '/api/public/reports', payload: { category: 'garbage', description: '路边垃圾无人清理', ...place, photoIds: [up.json().id], uploadKey } })
  expect(res.statusCode).toBe(201)
  const code = res.json().trackingCode as string
  const id = (await t.db.query<{ id: number }>('SELECT id FROM work_orders WHERE tracking_code = $1', [code])).rows[0].id
  return { code, photo: up.json().id, id }
}
const photo = (code: string, id: number | string, thumb = false) => t.app.inject(`/api/public/reports/${code}/photos/${id}${thumb ? '/thumb' : ''}`)

describe("a resident's own photos on the status page", () => {
  it('lists the report photos in the status and serves them by tracking code, full size and thumbnail', async () => {
    const r = await reportWithPhoto(200)
    const s = (await t.app.inject(`/api/public/reports/${r.code}`)).json() as PublicReportStatus
    expect(s.photoIds).toEqual([r.photo])
    for (const thumb of [false, true]) {
      const res = await photo(r.code.toLowerCase(), r.photo, thumb)
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toBe('image/jpeg')
      expect(res.headers['cache-control']).toContain('private')
      const meta = await sharp(res.rawPayload).metadata()
      expect(meta.format).toBe('jpeg')
      expect(meta.exif).toBeUndefined()
    }
  })

  it("serves neither the handler's after-photos nor another report's photos under a code", async () => {
    const mine = await reportWithPhoto(120)
    const other = await reportWithPhoto(60)
    expect((await photo(mine.code, other.photo)).statusCode).toBe(404)
    expect((await photo(mine.code, other.photo)).json()).toMatchObject({ code: 'not_found' })
    // the cadre handles it with her own after-photo: the resident's page does not get it
    const cadre = `cadre-${villageId}`
    expect((await t.as('dispatcher', { method: 'POST', url: `/api/work-orders/${mine.id}/actions`, payload: { action: 'dispatch', villageId } })).statusCode).toBe(200)
    const after = (await t.as(cadre, { method: 'POST', url: '/api/photos', headers: { 'content-type': 'image/jpeg' }, payload: await jpeg(30) })).json().id as number
    expect((await t.as(cadre, { method: 'POST', url: `/api/work-orders/${mine.id}/actions`, payload: { action: 'handle', note: '已清理', photoIds: [after] } })).statusCode).toBe(200)
    const s = (await t.app.inject(`/api/public/reports/${mine.code}`)).json() as PublicReportStatus
    expect(s.photoIds).toEqual([mine.photo])
    expect((await photo(mine.code, after)).statusCode).toBe(404)
    expect((await photo(mine.code, after, true)).statusCode).toBe(404)
    expect((await photo(mine.code, mine.photo)).statusCode).toBe(200)
  })

  it('answers an unknown code 404 and a bad id or code 400 naming it', async () => {
    const r = await reportWithPhoto(90)
    expect((await photo('ZZZZZZZZZZ', r.photo)).statusCode).toBe(404)
    const bad = await photo(r.code, 'x1')
    expect(bad.statusCode).toBe(400)
    expect(bad.json().message).toContain('id')
    const badCode = await photo('no', r.photo)
    expect(badCode.statusCode).toBe(400)
    expect(badCode.json().message).toContain('trackingCode')
  })
})
