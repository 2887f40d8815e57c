import { existsSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { storeVehicleMedia } from '../vehicles/media.ts'
import { expireOrphanPhotos } from './expiry.ts'
import { assertOwnPhotos } from './access.ts'
import { residentUploader } from '../public/repository.ts'

// Photos attached to nothing expire a day after they were last sent, on the staff's channel and
// the residents'; a photo anything refers to is never deleted; an address's photos are bounded
// in bytes a day.
let t: TestApp
let grid: { id: number; village_id: number; lon: number; lat: number }
let household: number
const DAY = 86_400_000
beforeAll(async () => {
  t = await openTestApp({ publicLimits: { photosPerHour: 1000, photoBytesPerDay: 400 * 1024 } })
  grid = (await t.db.query<{ id: number; village_id: number; lon: number; lat: number }>(
    `SELECT id, village_id, ST_X(label_point) AS lon, ST_Y(label_point) AS lat FROM grids WHERE kind = 'base' ORDER BY id LIMIT 1 OFFSET 5`)).rows[0]
  household = (await t.db.query<{ id: number }>('SELECT id FROM households WHERE grid_id = $1 ORDER BY id LIMIT 1', [grid.id])).rows[0].id
})
afterAll(async () => t?.close())

let seed = 1
/** a new picture each call (its bytes differ), noisy so that its JPEG weighs what a photo does */
const picture = (size = 64) => {
  const noise = Buffer.alloc(size * size * 3)
  for (let i = 0; i < noise.length; i++) noise[i] = (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) >> 23
  return sharp(noise, { raw: { width: size, height: size, channels: 3 } }).jpeg({ quality: 95 }).toBuffer()
}
const upload = async (user: string, body: Buffer) => {
  const res = await t.as(user, { method: 'POST', url: '/api/photos', headers: { 'content-type': 'image/jpeg' }, payload: body })
  expect(res.statusCode, res.body).toBeLessThan(300)
  return res.json().id as number
}
const uploadAsResident = (key: string, body: Buffer, remoteAddress = '127.0.0.1') =>
  t.app.inject({ method: 'POST', url: '/api/public/photos', remoteAddress, headers: { 'content-type': 'image/jpeg', 'x-upload-key': key }, payload: body })
const filesOf = async (id: number) => {
  const r = await t.db.query<{ original: string; display: string; thumb: string }>('SELECT original, display, thumb FROM photos WHERE id = $1', [id])
  return r.rows.length ? [r.rows[0].original, r.rows[0].display, r.rows[0].thumb].map((f) => join(t.app.photos.dir, f)) : []
}
const exists = async (id: number) => (await t.db.query('SELECT 1 FROM photos WHERE id = $1', [id])).rows.length > 0
const later = (ms: number) => new Date(Date.now() + ms)

describe('photos attached to nothing', () => {
  it('are deleted, rows and files, a day after they were last sent; attached ones never are', async () => {
    const gw = `gw-${grid.id}`
    const cadre = `cadre-${grid.village_id}`
    const orphan = await upload(gw, await picture())
    const onOrder = await upload(gw, await picture())
    const onVisit = await upload(gw, await picture())
    const onDraft = await upload(cadre, await picture())
    const onNotice = await upload(cadre, await picture())
    expect((await t.as(gw, { method: 'POST', url: '/api/work-orders', payload: { category: 'road', description: '路面破损，见照片', lon: grid.lon, lat: grid.lat, photoIds: [onOrder] } })).statusCode).toBe(201)
    expect((await t.as(gw, { method: 'POST', url: '/api/household-visits', payload: { householdId: household, note: '入户走访', photoIds: [onVisit] } })).statusCode).toBe(201)
    expect((await t.as(cadre, { method: 'POST', url: '/api/notices/drafts', payload: { category: '村务公开', title: '道路修缮公示', photoIds: [onDraft] } })).statusCode).toBe(201)
    const published = (await t.as(cadre, { method: 'POST', url: '/api/notices/drafts', payload: { category: '村务公开', title: '资金使用公示', photoIds: [onNotice] } })).json()
    expect((await t.as(cadre, { method: 'PATCH', url: `/api/notices/drafts/${published.id}`, payload: { submit: true } })).statusCode).toBe(200)
    expect((await t.as('leader', { method: 'POST', url: `/api/notices/drafts/${published.id}/decision`, payload: { approve: true } })).statusCode).toBe(200)
    const vehicle = (await t.db.query<{ id: number }>('SELECT id FROM vehicles ORDER BY id LIMIT 1')).rows[0].id
    const truck = await storeVehicleMedia(t.db, t.app.photos.dir, {
      vehicleId: vehicle, phone: '013800000001', mediaId: 1, channel: 1, event: 0, takenAt: null, lon: null, lat: null, withAlarm: false, jpeg: await picture(),
    })
    const key = 'resident-key-0000000001'
    const residentOrphan = (await uploadAsResident(key, await picture())).json().id as number
    const residentAttached = (await uploadAsResident(key, await picture())).json().id as number
    expect((await t.app.inject({ method: 'POST', url: '/api/public/reports', payload: {
      category: 'garbage', description: '垃圾桶满溢', lon: grid.lon, lat: grid.lat, photoIds: [residentAttached], uploadKey: key,
    } })).statusCode).toBe(201)

    const attached = [onOrder, onVisit, onDraft, onNotice, truck.photoId, residentAttached]
    const orphans = [orphan, residentOrphan]
    const files = new Map<number, string[]>()
    for (const id of [...attached, ...orphans]) files.set(id, await filesOf(id))
    for (const f of [...files.values()].flat()) expect(existsSync(f), f).toBe(true)

    // within the day nothing goes
    await t.app.photos.expireOrphans(later(23 * 3_600_000))
    for (const id of [...attached, ...orphans]) expect(await exists(id), `photo ${id}`).toBe(true)

    await t.app.photos.expireOrphans(later(DAY + 3_600_000))
    for (const id of orphans) {
      expect(await exists(id), `orphan ${id}`).toBe(false)
      for (const f of files.get(id)!) expect(existsSync(f), f).toBe(false)
    }
    for (const id of attached) {
      expect(await exists(id), `attached ${id}`).toBe(true)
      for (const f of files.get(id)!) expect(existsSync(f), f).toBe(true)
    }
    expect((await t.as(gw, `/api/photos/${orphan}`)).statusCode).toBe(404)
    expect((await t.as(gw, `/api/photos/${onOrder}`)).statusCode).toBe(200)
  })

  it('live a day from the last time their bytes were sent (an offline queue replaying)', async () => {
    const gw = `gw-${grid.id}`
    const bytes = await picture()
    const id = await upload(gw, bytes)
    await t.db.query(`UPDATE photos SET last_sent_at = last_sent_at - interval '30 hours' WHERE id = $1`, [id])
    // sent again: the same photo, renewed
    expect(await upload(gw, bytes)).toBe(id)
    await t.app.photos.expireOrphans(later(2 * 3_600_000))
    expect(await exists(id)).toBe(true)
    await t.app.photos.expireOrphans(later(DAY + 3_600_000))
    expect(await exists(id)).toBe(false)
    // and once gone, the same bytes are stored anew, readable
    const again = await upload(gw, bytes)
    expect(again).not.toBe(id)
    expect((await t.as(gw, `/api/photos/${again}`)).statusCode).toBe(200)
  })

  it("leave the files another row still names (uploads from before files were named per uploader)", async () => {
    const gw = `gw-${grid.id}`
    const orphan = await upload(gw, await picture())
    const files = await filesOf(orphan)
    // another uploader's row over the same files, attached to an order, as older uploads could be
    const twin = (await t.db.query<{ id: number }>(
      `INSERT INTO photos (sha256, mime, bytes, width, height, original, display, thumb, uploaded_by, village_id)
       SELECT sha256, mime, bytes, width, height, original, display, thumb, 'dispatcher', village_id FROM photos WHERE id = $1 RETURNING id`, [orphan])).rows[0].id
    const order = (await t.db.query<{ id: number }>('SELECT id FROM work_orders ORDER BY id LIMIT 1')).rows[0].id
    await t.db.query(`INSERT INTO work_order_history (order_id, action, from_state, to_state, actor, actor_role, at, photo_ids) VALUES ($1, 'handle', 'dispatched', 'handled', 'dispatcher', 'dispatcher', now(), $2::int[])`, [order, [twin]])
    await t.app.photos.expireOrphans(later(2 * DAY))
    expect(await exists(orphan)).toBe(false)
    expect(await exists(twin)).toBe(true)
    for (const f of files) expect(existsSync(f), f).toBe(true)
    expect((await t.as('dispatcher', `/api/photos/${twin}`)).statusCode).toBe(200)
  })

  it('are expired once when several processes run the job at the same moment', async () => {
    const ids: number[] = []
    for (let i = 0; i < 6; i++) ids.push(await upload('dispatcher', await picture()))
    const runs = await Promise.all([1, 2, 3].map(() => expireOrphanPhotos(t.db, t.app.photos.dir, { now: later(2 * DAY) })))
    expect(runs.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(ids.length)
    for (const id of ids) expect(await exists(id)).toBe(false)
  })

  // PGlite has one connection: a run beside an open transaction is only possible on PostgreSQL
  it.runIf(process.env.DATABASE_URL)('are left alone while a transaction attaching them is open', async () => {
    const gw = `gw-${grid.id}`
    const id = await upload(gw, await picture())
    await t.db.query(`UPDATE photos SET last_sent_at = last_sent_at - interval '30 hours' WHERE id = $1`, [id])
    const order = await t.db.transaction(async (tx) => {
      await assertOwnPhotos(tx, [id], { username: gw })
      // the job runs on another connection while the attachment is not yet committed
      expect(await expireOrphanPhotos(t.db, t.app.photos.dir, { now: later(0) })).toBe(0)
      const o = await tx.query<{ id: number }>('SELECT id FROM work_orders ORDER BY id LIMIT 1')
      await tx.query(`INSERT INTO work_order_history (order_id, action, from_state, to_state, actor, actor_role, at, photo_ids) VALUES ($1, 'handle', 'dispatched', 'handled', $2, 'gridWorker', now(), $3::int[])`,
        [o.rows[0].id, gw, [id]])
      return o.rows[0].id
    })
    expect(order).toBeGreaterThan(0)
    await t.app.photos.expireOrphans(later(2 * DAY))
    expect(await exists(id)).toBe(true)
  })

  it('are kept while any table names them, and nothing is deleted beside a column the job cannot read', async () => {
    const id = await upload('dispatcher', await picture())
    await t.db.exec('CREATE TABLE expiry_probe_album (id int, cover_photo integer)')
    try {
      await t.db.query('INSERT INTO expiry_probe_album VALUES (1, $1)', [id])
      await t.app.photos.expireOrphans(later(2 * DAY))
      expect(await exists(id)).toBe(true)
      await t.db.query('DELETE FROM expiry_probe_album')
      await t.db.exec('ALTER TABLE expiry_probe_album ADD COLUMN photo_caption text')
      await expect(t.app.photos.expireOrphans(later(2 * DAY))).rejects.toThrow(/photo_caption/)
      expect(await exists(id)).toBe(true)
    } finally {
      await t.db.exec('DROP TABLE expiry_probe_album')
    }
    await t.app.photos.expireOrphans(later(2 * DAY))
    expect(await exists(id)).toBe(false)
  })
})

describe("the residents' photos", () => {
  it('are bounded in bytes per address and day (429 upload_budget); another address is not', async () => {
    const statuses: number[] = []
    let refused: Awaited<ReturnType<typeof uploadAsResident>> | undefined
    for (let i = 0; i < 40 && !refused; i++) {
      const res = await uploadAsResident('budget-key-00000000001', await picture(160), '10.9.0.1')
      statuses.push(res.statusCode)
      if (res.statusCode === 429) refused = res
    }
    expect(statuses[0]).toBe(201)
    expect(refused?.json()).toMatchObject({ statusCode: 429, code: 'upload_budget' })
    expect(refused?.headers['retry-after']).toBeDefined()
    const stored = await t.db.query<{ n: number; photos: number }>(
      'SELECT coalesce(sum(bytes), 0)::int AS n, count(*)::int AS photos FROM photos WHERE uploaded_by = $1', [residentUploader('budget-key-00000000001').username])
    expect(stored.rows[0].photos).toBe(statuses.length - 1)
    expect(stored.rows[0].n).toBeLessThanOrEqual(400 * 1024)
    expect((await uploadAsResident('budget-key-00000000002', await picture(160), '10.9.0.2')).statusCode).toBe(201)
  })
})
