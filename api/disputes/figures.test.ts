import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { getStats, type Stats } from '../stats/repository.ts'
import type { Scope } from '../access/screen-scope.ts'
import type { Dispute } from '../../geo/disputes.ts'
import { DISPUTE_TYPES } from '../../geo/disputes.ts'
import { PANEL_TABLES } from '../realtime/changes.ts'

// What disputes move on the wall (法制视野: 受理, 调解成功率 = resolved / closed, 在办, the monthly
// chart) and how they come in: each write moves exactly its figures at grid, village and town
// scope; a 矛盾纠纷 work order opens a dispute whichever way it was filed; and after a stream of
// writes the grid roll-ups equal a recount from the base tables.
let t: TestApp
let grid: number // a base grid of village 1
let place: { lon: number; lat: number }
beforeAll(async () => {
  t = await openTestApp()
  grid = (await t.db.query<{ id: number }>(`SELECT id FROM grids WHERE village_id = 1 AND kind = 'base' ORDER BY id LIMIT 1`)).rows[0].id
  place = (await t.db.query<{ lon: number; lat: number }>('SELECT ST_X(label_point) AS lon, ST_Y(label_point) AS lat FROM grids WHERE id = $1', [grid])).rows[0]
})
afterAll(async () => t?.close())

const gw = () => `gw-${grid}`
const record = async (who: string, body: Record<string, unknown>) => {
  const res = await t.as(who, { method: 'POST', url: '/api/disputes', payload: { gridId: grid, type: '邻里纠纷', summary: '邻里因排水沟发生争执', ...body } })
  expect(res.statusCode, res.body).toBe(201)
  return res.json().id as number
}
const step = async (who: string, id: number, body: Record<string, unknown>) => {
  const res = await t.as(who, { method: 'PATCH', url: `/api/disputes/${id}`, payload: body })
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200)
  return res.json() as Dispute
}
const fileOrder = async (who: string, category: string, description: string) => {
  const res = await t.as(who, { method: 'POST', url: '/api/work-orders', payload: { category, description, ...place } })
  expect(res.statusCode, res.body).toBe(201)
  return res.json().id as number
}
const disputeOf = async (orderId: number) =>
  (await t.db.query<{ id: number; type: string; summary: string; stage: string; reporter: string }>(
    'SELECT id, type, summary, stage, reporter FROM disputes WHERE source_order_id = $1', [orderId])).rows

/** 法制视野's figures as flat numbers: a delta between two reads is then a plain diff */
function law(s: Stats): Map<string, number> {
  const m = new Map<string, number>([['disputes', s.law.disputes], ['resolved', s.law.resolved], ['closed', s.law.closed]])
  for (const b of s.law.byStatus) m.set(`status ${b.key}`, b.count)
  for (const b of s.law.byType) m.set(`type ${b.key}`, b.count)
  for (const x of s.law.monthly) m.set(`reported ${x.month}`, x.reported).set(`resolved ${x.month}`, x.resolved)
  return m
}
function delta(a: Map<string, number>, b: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const d = (b.get(k) ?? 0) - (a.get(k) ?? 0)
    if (d !== 0) out[k] = d
  }
  return out
}
const beijingMonth = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7)

describe('法制视野 moves exactly with each dispute write', () => {
  it('at grid, village and town scope: 受理, 在办, 调解成功率 and the month', async () => {
    const scopes = [`grid:${grid}`, 'village:1', 'town']
    const snap = async () => Promise.all(scopes.map(async (s) => {
      const res = await t.as('leader', `/api/stats?scope=${s}`)
      expect(res.statusCode).toBe(200)
      return law(res.json() as Stats)
    }))
    let before = await snap()
    const moved = async (what: string, expected: Record<string, number>) => {
      const after = await snap()
      for (const [k, s] of scopes.entries()) expect(delta(before[k], after[k]), `${what} at ${s}`).toEqual(expected)
      before = after
    }
    const M = beijingMonth()
    const id = await record(gw(), {})
    await moved('registered (受理)', { disputes: 1, 'status pending': 1, 'type 邻里纠纷': 1, [`reported ${M}`]: 1 })
    await step(gw(), id, { stage: 'mediating', mediator: '王秀英' })
    await moved('微调解', { 'status pending': -1, 'status mediating': 1 })
    await step('cadre-1', id, { stage: 'consulting', mediator: '全科协商厅' })
    await step('cadre-1', id, { stage: 'consulting', note: '再次协商' })
    await moved('中协商 and a note', {})
    await step('cadre-1', id, { stage: 'closed', outcome: 'resolved' })
    await moved('调解成功', { 'status mediating': -1, 'status resolved': 1, resolved: 1, closed: 1, [`resolved ${M}`]: 1 })
    await step('cadre-1', await record('cadre-1', { type: '婚姻家庭' }), { stage: 'closed', outcome: 'unresolved' })
    await moved('调解不成', { disputes: 1, 'type 婚姻家庭': 1, [`reported ${M}`]: 1, 'status failed': 1, closed: 1 })
    await step('leader', await record('dispatcher', { type: '劳资纠纷' }), { stage: 'closed', outcome: 'referred', referToDepartmentId: 3 })
    await moved('转办', { disputes: 1, 'type 劳资纠纷': 1, [`reported ${M}`]: 1, 'status referred': 1, closed: 1 })
    const order = await fileOrder(gw(), 'dispute', '两户因宅基地界线争执')
    await moved('a 矛盾纠纷 order', { disputes: 1, 'type 其他': 1, [`reported ${M}`]: 1, 'status pending': 1 })
    await step('cadre-1', (await disputeOf(order))[0].id, { stage: 'accepted', type: '宅基地', note: '核实为宅基地纠纷' })
    await moved('reclassified', { 'type 其他': -1, 'type 宅基地': 1 })
  })
})

describe('an open wall hears of every dispute write', () => {
  it('as data_changed naming disputes, a table the screens refresh on', async () => {
    const heard: string[] = []
    const stop = await t.db.listen('data_changed', (table) => heard.push(table))
    const until = async (n: number) => {
      for (let i = 0; i < 200 && heard.filter((x) => x === 'disputes').length < n; i++) await new Promise((r) => setTimeout(r, 50))
      return heard.filter((x) => x === 'disputes').length
    }
    try {
      const id = await record(gw(), {})
      expect(await until(1)).toBeGreaterThanOrEqual(1)
      heard.length = 0
      await step(gw(), id, { stage: 'closed', outcome: 'resolved' })
      expect(await until(1)).toBeGreaterThanOrEqual(1)
    } finally {
      await stop()
    }
    expect(PANEL_TABLES.has('disputes')).toBe(true)
  })
})

describe('a 矛盾纠纷 work order opens a dispute', () => {
  it("from a grid worker's report, linked both ways; other categories open none", async () => {
    const order = await fileOrder(gw(), 'dispute', '邻里因排水沟发生争执')
    const [d] = await disputeOf(order)
    expect(d).toMatchObject({ type: '其他', summary: '邻里因排水沟发生争执', stage: 'accepted', reporter: gw() })
    const dispute = (await t.as(gw(), `/api/disputes/${d.id}`)).json() as Dispute
    expect(dispute).toMatchObject({ sourceOrderId: order, gridId: grid, parties: [] })
    expect(dispute.history).toEqual([expect.objectContaining({ stage: 'accepted', actor: gw(), actorRole: 'gridWorker', detail: { sourceOrderId: order } })])
    expect((await t.as(gw(), `/api/work-orders/${order}`)).json().disputeId).toBe(d.id)
    expect('disputeId' in (await t.as('display', `/api/work-orders/${order}`)).json()).toBe(false)
    expect(await disputeOf(await fileOrder(gw(), 'road', '路灯不亮'))).toEqual([])
  })

  it('from a 12345 import (the caller its party) and from a resident\'s 一键点单', async () => {
    const csv = ['工单编号,受理时间,类别,诉求内容,地址,经度,纬度,来电人,联系电话',
      `D-001,2026-11-03 09:15,矛盾纠纷,邻居占用通道引发争吵,店子镇,${place.lon},${place.lat},王先生,13800001111`,
      `D-002,2026-11-03 09:20,道路设施,路面塌陷,店子镇,${place.lon},${place.lat},李女士,13800002222`].join('\n')
    const res = await t.as('dispatcher', { method: 'POST', url: '/api/work-orders/import', headers: { 'content-type': 'text/csv' }, payload: Buffer.from(csv) })
    expect(res.json()).toMatchObject({ imported: 2 })
    const ids = (await t.db.query<{ id: number; external_id: string }>(`SELECT id, external_id FROM work_orders WHERE external_id IN ('D-001', 'D-002') ORDER BY external_id`)).rows
    expect(await disputeOf(ids[1].id)).toEqual([])
    const [d] = await disputeOf(ids[0].id)
    const dispute = (await t.as('cadre-1', `/api/disputes/${d.id}`)).json() as Dispute
    expect(dispute).toMatchObject({ summary: '邻居占用通道引发争吵', reportedAt: '2026-11-03T01:15:00.000Z', parties: [{ name: '王*生', phone: '138****1111' }] })
    expect(dispute.history![0]).toMatchObject({ actor: 'dispatcher', actorRole: 'dispatcher' })

    const report = await t.app.inject({ method: 'POST', url: '/api/public/reports', payload: { category: 'dispute', description: '楼上漏水多次协商不成', ...place, phone: '13700002222' } })
    expect(report.statusCode, report.body).toBe(201)
    const [o] = (await t.db.query<{ id: number }>('SELECT id FROM work_orders WHERE tracking_code = $1', [report.json().trackingCode])).rows
    const [r] = await disputeOf(o.id)
    const fromResident = (await t.as('cadre-1', `/api/disputes/${r.id}`)).json() as Dispute
    expect(fromResident).toMatchObject({ summary: '楼上漏水多次协商不成', parties: [{ name: '', phone: '137****2222' }] })
    expect(fromResident.history![0].actorRole).toBe('resident')
  })

  it('is named on a dispute registered from any other order, once', async () => {
    const road = await fileOrder(gw(), 'road', '修路施工占地引发争执')
    const id = await record(gw(), { sourceOrderId: road, type: '土地承包' })
    expect((await t.as(gw(), `/api/work-orders/${road}`)).json().disputeId).toBe(id)
    const again = await t.as(gw(), { method: 'POST', url: '/api/disputes', payload: { gridId: grid, type: '土地承包', summary: '再登记一次', sourceOrderId: road } })
    expect(again.statusCode).toBe(409)
    expect(again.json()).toMatchObject({ code: 'order_has_dispute', disputeId: id })
    const disputeOrder = await fileOrder(gw(), 'dispute', '家庭赡养纠纷')
    const dup = await t.as(gw(), { method: 'POST', url: '/api/disputes', payload: { gridId: grid, type: '婚姻家庭', summary: '赡养', sourceOrderId: disputeOrder } })
    expect(dup.json()).toMatchObject({ code: 'order_has_dispute', disputeId: (await disputeOf(disputeOrder))[0].id })
  })
})

describe('the grid roll-ups behind 法制视野', () => {
  it('equal a recount after a stream of dispute writes through the API', async () => {
    let seed = 28
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]
    const grids = (await t.db.query<{ id: number; lon: number; lat: number }>(
      `SELECT id, ST_X(label_point) AS lon, ST_Y(label_point) AS lat FROM grids WHERE kind = 'base' AND id % 9 = 1 ORDER BY id`)).rows
    const touched = new Set<number>()
    for (let k = 0; k < 48; k++) {
      const g = pick(grids)
      const open = (await t.db.query<{ id: number; stage: string; grid_id: number }>(
        `SELECT id, stage, grid_id FROM disputes WHERE stage <> 'closed' ORDER BY id DESC LIMIT 40`)).rows
      const d = pick(open)
      switch (k % 5) {
        case 0:
          expect((await t.as('admin', { method: 'POST', url: '/api/disputes', payload: { gridId: g.id, type: pick(DISPUTE_TYPES), summary: '流水登记' } })).statusCode).toBe(201)
          touched.add(g.id)
          break
        case 1: { // one step up, where there is one
          const next = { accepted: 'mediating', mediating: 'consulting', consulting: 'reviewing', reviewing: 'reviewing' }[d.stage]!
          await step('admin', d.id, { stage: next, mediator: '调解员', note: '推进' })
          touched.add(d.grid_id)
          break
        }
        case 2: {
          const outcome = pick(['resolved', 'resolved', 'unresolved', 'referred'])
          await step('admin', d.id, { stage: 'closed', outcome, ...(outcome === 'referred' ? { referToDepartmentId: 9 } : {}) })
          touched.add(d.grid_id)
          break
        }
        case 3:
          expect((await t.as('admin', { method: 'POST', url: '/api/work-orders', payload: { category: 'dispute', description: '流水工单纠纷', lon: g.lon, lat: g.lat } })).statusCode).toBe(201)
          touched.add(g.id)
          break
        case 4:
          await step('admin', d.id, { stage: d.stage, type: pick(DISPUTE_TYPES), note: '重新定性' })
          touched.add(d.grid_id)
          break
      }
    }
    const villages = (await t.db.query<{ id: number }>('SELECT DISTINCT village_id AS id FROM grids WHERE id = ANY($1::int[])', [[...touched]])).rows
    const scopes: Scope[] = [{ kind: 'county', id: null }, { kind: 'town', id: 1 }, ...villages.map((v) => ({ kind: 'village' as const, id: v.id })),
      ...[...touched].map((id) => ({ kind: 'grid' as const, id }))]
    for (const scope of scopes) {
      const fromRollups = await getStats(t.db, scope, { keyGroupDetail: true })
      const recounted = await getStats(t.db, scope, { keyGroupDetail: true, live: true })
      expect(fromRollups, `${scope.kind}:${scope.id}`).toEqual(recounted)
    }
    expect(touched.size).toBeGreaterThan(10)
  }, 180_000) // 48 writes and a recount of every touched scope: minutes on a loaded machine
})
