import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import type { WorkOrder } from '../../geo/work-orders.ts'

let t: TestApp
let grid: { id: number; village_id: number; lon: number; lat: number }
let otherVillage: number
beforeAll(async () => {
  t = await openTestApp()
  const grids = (await t.db.query<{ id: number; village_id: number; lon: number; lat: number }>(
    'SELECT id, village_id, ST_X(label_point) AS lon, ST_Y(label_point) AS lat FROM grids ORDER BY id')).rows
  grid = grids[3]
  otherVillage = grids.find((g) => g.village_id !== grid.village_id)!.village_id
})
afterAll(async () => t?.close())

/** a phone photo: 1600×1200 JPEG with the GPS position and camera in its EXIF */
const phonePhoto = (shade = 120) =>
  sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: shade, g: 90, b: 60 } } })
    .jpeg()
    .withExif({ IFD0: { Make: 'PhoneMaker', Model: 'X1' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '35/1 6/1 1234/100', GPSLongitudeRef: 'E', GPSLongitude: '117/1 23/1 4567/100' } })
    .toBuffer()
const upload = (user: string, body: Buffer, type = 'image/jpeg') =>
  t.as(user, { method: 'POST', url: '/api/photos', headers: { 'content-type': type }, payload: body })

describe('photos', () => {
  it('keeps the original and shows a copy and a thumbnail without EXIF (no GPS position)', async () => {
    const original = await phonePhoto()
    expect((await sharp(original).metadata()).exif).toBeDefined()
    const res = await upload(`gw-${grid.id}`, original)
    expect(res.statusCode).toBe(201)
    const photo = res.json() as { id: number; url: string; thumbUrl: string; width: number }
    expect(photo.width).toBe(1600)
    // a photo attached to nothing is its uploader's alone
    expect((await t.as('leader', photo.url)).statusCode).toBe(403)
    const shown = await t.as(`gw-${grid.id}`, photo.url)
    expect(shown.statusCode).toBe(200)
    expect(shown.headers['content-type']).toBe('image/jpeg')
    const shownMeta = await sharp(shown.rawPayload).metadata()
    expect(shownMeta.exif).toBeUndefined()
    expect(shown.rawPayload.includes(Buffer.from('PhoneMaker'))).toBe(false)
    const thumb = await sharp((await t.as(`gw-${grid.id}`, photo.thumbUrl)).rawPayload).metadata()
    expect(Math.max(thumb.width!, thumb.height!)).toBeLessThanOrEqual(320)
    expect(thumb.exif).toBeUndefined()
    // the same bytes again (an offline queue replaying) are the same photo
    const again = await upload(`gw-${grid.id}`, original)
    expect(again.statusCode).toBe(200)
    expect(again.json().id).toBe(photo.id)
  })

  it('refuses what is not an image of the type it claims, and too much', async () => {
    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: 'red' } }).png().toBuffer()
    expect((await upload('dispatcher', png)).statusCode).toBe(415)
    expect((await upload('dispatcher', Buffer.from('not an image at all'))).statusCode).toBe(400)
    const text = await upload('dispatcher', Buffer.from('hello'), 'text/plain')
    expect(text.statusCode).toBe(415)
    expect((await upload('dispatcher', Buffer.alloc(10 * 1024 * 1024 + 1, 1))).statusCode).toBe(413)
    expect((await upload('display', png, 'image/png')).statusCode).toBe(403)
    expect((await upload('dispatcher', png, 'image/png')).statusCode).toBe(201)
  })

  it('goes with a report; people of another village do not see it', async () => {
    const photo = (await upload(`gw-${grid.id}`, await phonePhoto(200))).json() as { id: number; url: string }
    const report = await t.as(`gw-${grid.id}`, {
      method: 'POST', url: '/api/work-orders',
      payload: { category: 'road', description: '路面破损，见照片', lon: grid.lon, lat: grid.lat, photoIds: [photo.id] },
    })
    expect(report.statusCode).toBe(201)
    const order = (await t.as('leader', `/api/work-orders/${report.json().id}`)).json() as WorkOrder
    expect(order.history![0].photoIds).toEqual([photo.id])
    expect((await t.as(`cadre-${grid.village_id}`, photo.url)).statusCode).toBe(200)
    expect((await t.as(`cadre-${otherVillage}`, photo.url)).statusCode).toBe(403)
    // a photo someone else uploaded cannot be attached
    const stolen = await t.as('dispatcher', {
      method: 'POST', url: '/api/work-orders', payload: { category: 'road', description: '借用照片', lon: grid.lon, lat: grid.lat, photoIds: [photo.id] },
    })
    expect(stolen.statusCode).toBe(400)
    expect(stolen.json().message).toMatch(/body\/photoIds\/0/)
  })
})
