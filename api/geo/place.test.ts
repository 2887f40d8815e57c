import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { placeNear, streetOf } from './place.ts'

let t: TestApp
beforeAll(async () => {
  t = await openTestApp()
})
afterAll(async () => t?.close())

/** a placed household with its point, village and grid */
async function aHousehold() {
  return (await t.db.query<{ lon: number; lat: number; address: string; house_number: string; village: string; grid: string }>(
    `SELECT ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat, h.address, h.house_number, v.name AS village, g.name AS grid
       FROM households h JOIN grids g ON g.id = h.grid_id JOIN villages v ON v.id = g.village_id WHERE h.geom IS NOT NULL ORDER BY h.id LIMIT 1 OFFSET 321`)).rows[0]
}

describe('placeNear: a map point said as a place, not as longitude and latitude', () => {
  it('names the nearest house\'s street, without its house number', async () => {
    const h = await aHousehold()
    const place = await placeNear(t.db, Number(h.lon) + 0.0001, Number(h.lat))
    expect(place).toBe(`${streetOf(h.address, h.house_number)}附近`)
    expect(h.address.startsWith(place!.replace(/附近$/, ''))).toBe(true)
    expect(place).not.toContain(`${h.house_number}号`)
  })

  it('falls back to the village and grid the point lies in, and says nothing outside every grid', async () => {
    const h = await aHousehold()
    expect(await placeNear(t.db, Number(h.lon), Number(h.lat), -1)).toBe(`${h.village} ${h.grid}`)
    expect(await placeNear(t.db, 10, 10)).toBeNull()
  })

  it('streetOf takes the house number off the end', () => {
    expect(streetOf('店子镇石山村一组12号', '12')).toBe('店子镇石山村一组')
    expect(streetOf('店子镇石山村一组12号', '')).toBe('店子镇石山村一组')
  })
})

describe('GET /api/public/place', () => {
  it('answers a resident without an account, and refuses a point off the globe naming the field', async () => {
    const h = await aHousehold()
    const ok = await t.app.inject(`/api/public/place?lon=${h.lon}&lat=${h.lat}`)
    expect(ok.statusCode, ok.body).toBe(200)
    expect(ok.json().place).toBe(`${streetOf(h.address, h.house_number)}附近`)
    const bad = await t.app.inject('/api/public/place?lon=999&lat=35')
    expect(bad.statusCode).toBe(400)
    expect(bad.json().message).toMatch(/lon/)
  })
})

describe('GET /api/work-orders/:id', () => {
  it('says where an order with no written address is (the desk showed raw longitude and latitude)', async () => {
    const o = (await t.db.query<{ id: number }>(`SELECT id FROM work_orders WHERE address = '' ORDER BY id LIMIT 1`)).rows[0]
    const res = await t.as('dispatcher', `/api/work-orders/${o.id}`)
    expect(res.statusCode, res.body).toBe(200)
    const order = res.json() as { place?: string | null; lon: number; lat: number }
    expect(order.place).toBe(await placeNear(t.db, order.lon, order.lat))
    expect(typeof order.place).toBe('string')
  })
})
