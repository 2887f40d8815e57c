import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import type { WorkOrder } from '../../geo/work-orders.ts'

// Separation of duties in 问、派、转、办、审、回: whoever handled an order does not review it; a
// resident rates her own report, on the public page only; the center rates (代评) only for a
// hotline caller, and its rating says so; a staff reporter rates her own report.
let t: TestApp
let grid: { id: number; village_id: number; lon: number; lat: number }
beforeAll(async () => {
  t = await openTestApp()
  grid = (await t.db.query<typeof grid>(
    `SELECT id, village_id, ST_X(label_point) AS lon, ST_Y(label_point) AS lat FROM grids WHERE kind = 'base' ORDER BY id LIMIT 1 OFFSET 40`)).rows[0]
})
afterAll(async () => t?.close())

const act = (who: string, id: number, body: Record<string, unknown>) => t.as(who, { method: 'POST', url: `/api/work-orders/${id}/actions`, payload: body })
const ok = async (who: string, id: number, body: Record<string, unknown>) => {
  const res = await act(who, id, body)
  expect(res.statusCode, `${who} ${JSON.stringify(body)}: ${res.body}`).toBe(200)
  return res.json() as WorkOrder
}
const actions = async (who: string, id: number) => ((await t.as(who, `/api/work-orders/${id}`)).json() as WorkOrder).actions ?? []
const file = async (who: string, over: Record<string, unknown> = {}) => {
  const res = await t.as(who, { method: 'POST', url: '/api/work-orders', payload: { category: 'road', description: '路面破损', lon: grid.lon, lat: grid.lat, ...over } })
  expect(res.statusCode, res.body).toBe(201)
  return res.json().id as number
}
/** dispatched to the village, handled by `handler`, reviewed by the leader, replied by the center */
const toReplied = async (id: number, handler = `cadre-${grid.village_id}`) => {
  await ok('dispatcher', id, { action: 'dispatch', villageId: grid.village_id })
  await ok(handler, id, { action: 'handle', note: '已修复' })
  await ok('leader', id, { action: 'review', approve: true })
  await ok('dispatcher', id, { action: 'reply', note: '已答复' })
}

describe('separation of duties in the loop', () => {
  it('lets nobody review what they handled themselves, nor offers it to them', async () => {
    const id = await file('dispatcher')
    await ok('dispatcher', id, { action: 'dispatch', villageId: grid.village_id })
    await ok('dispatcher', id, { action: 'handle', note: '调度员自己办了' })
    expect(await actions('dispatcher', id)).not.toContain('review')
    const own = await act('dispatcher', id, { action: 'review', approve: true })
    expect(own.statusCode).toBe(403)
    expect(own.json().code).toBe('reviewer_is_handler')
    // nor is it waiting in the handler's 待审核
    const toReview = (await t.as('dispatcher', '/api/work-orders?tab=toReview&limit=500')).json() as WorkOrder[]
    expect(toReview.map((o) => o.id)).not.toContain(id)
    const inLeaders = (await t.as('leader', '/api/work-orders?tab=toReview&limit=500')).json() as WorkOrder[]
    expect(inLeaders.map((o) => o.id)).toContain(id)
    // another person reviews; sent back, and handled again by someone else, the first handler may review
    expect(await actions('admin', id)).toContain('review')
    await ok('admin', id, { action: 'review', approve: false, note: '重办' })
    await ok(`cadre-${grid.village_id}`, id, { action: 'handle', note: '村里重办' })
    expect(await actions(`cadre-${grid.village_id}`, id)).not.toContain('review')
    expect(await actions('dispatcher', id)).toContain('review')
    await ok('dispatcher', id, { action: 'review', approve: true })
  })

  it("leaves a resident's report to the resident's own rating, on the public page", async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/public/reports', payload: { category: 'road', description: '路面坑洼', lon: grid.lon, lat: grid.lat } })
    const { trackingCode } = res.json()
    const id = (await t.db.query<{ id: number }>('SELECT id FROM work_orders WHERE tracking_code = $1', [trackingCode])).rows[0].id
    await toReplied(id)
    for (const who of ['dispatcher', 'admin', 'leader', `cadre-${grid.village_id}`]) {
      expect(await actions(who, id), who).not.toContain('rate')
      const refused = await act(who, id, { action: 'rate', satisfaction: 5 })
      expect(refused.statusCode, who).toBe(403)
      expect(refused.json().code, who).toBe('rated_by_resident')
    }
    const rated = await t.app.inject({ method: 'POST', url: `/api/public/reports/${trackingCode}/rating`, payload: { satisfaction: 3 } })
    expect(rated.statusCode, rated.body).toBe(200)
    expect(rated.json()).toMatchObject({ state: 'closed', satisfaction: 3 })
  })

  it('lets the center rate for a hotline caller only (代评), and says so on the rating step', async () => {
    const csv = ['工单编号,受理时间,类别,诉求内容,地址,经度,纬度,来电人,联系电话', `DU-1,2026-11-03 09:15,道路设施,路面塌陷,,${grid.lon},${grid.lat},李晓明,13912345678`].join('\n')
    expect((await t.as('dispatcher', { method: 'POST', url: '/api/work-orders/import', headers: { 'content-type': 'text/csv' }, payload: Buffer.from(csv) })).statusCode).toBe(200)
    const id = (await t.db.query<{ id: number }>(`SELECT id FROM work_orders WHERE external_id = 'DU-1'`)).rows[0].id
    await toReplied(id)
    for (const who of ['leader', `cadre-${grid.village_id}`]) {
      expect(await actions(who, id), who).not.toContain('rate')
      expect((await act(who, id, { action: 'rate', satisfaction: 5 })).statusCode, who).toBe(403)
    }
    expect(await actions('admin', id)).toContain('rate')
    const closed = await ok('admin', id, { action: 'rate', satisfaction: 4 })
    expect(closed).toMatchObject({ state: 'closed', satisfaction: 4 })
    expect(closed.history!.at(-1)).toMatchObject({ action: 'rate', actor: 'admin', detail: { satisfaction: 4, onBehalf: true } })
    // the center's own report: its reporter rates it, and it is no 代评
    const own = await file('dispatcher', { source: 'center' })
    await toReplied(own)
    expect(await actions('admin', own)).not.toContain('rate')
    expect((await act('admin', own, { action: 'rate', satisfaction: 5 })).statusCode).toBe(403)
    const rated = await ok('dispatcher', own, { action: 'rate', satisfaction: 5 })
    expect(rated.history!.at(-1)!.detail).toEqual({ satisfaction: 5 })
  })

  it("leaves a grid worker's report to her own rating", async () => {
    const gw = `gw-${grid.id}`
    const id = await file(gw)
    await toReplied(id)
    for (const who of ['dispatcher', 'admin', 'leader']) {
      expect(await actions(who, id), who).not.toContain('rate')
      expect((await act(who, id, { action: 'rate', satisfaction: 5 })).statusCode, who).toBe(403)
    }
    expect(await actions(gw, id)).toEqual(['rate'])
    const closed = await ok(gw, id, { action: 'rate', satisfaction: 5 })
    expect(closed.history!.at(-1)!.detail).toEqual({ satisfaction: 5 })
  })
})
