import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import type { DepartmentRank, WorkOrder } from '../../geo/work-orders.ts'

// County departments report in (部门报到): a department account sees and handles the orders
// sent to it, may send one back with a reason, and nothing else; the town ranks departments.
let t: TestApp
let grid: { id: number; village_id: number; lon: number; lat: number }
let dept: number
let otherDept: number
beforeAll(async () => {
  t = await openTestApp()
  grid = (await t.db.query<{ id: number; village_id: number; lon: number; lat: number }>(
    `SELECT id, village_id, ST_X(label_point) AS lon, ST_Y(label_point) AS lat FROM grids WHERE kind = 'base' ORDER BY id LIMIT 1 OFFSET 20`)).rows[0]
  dept = (await t.db.query<{ id: number }>(`SELECT id FROM departments WHERE name = '住建局'`)).rows[0].id
  otherDept = (await t.db.query<{ id: number }>(`SELECT id FROM departments WHERE name = '公安局'`)).rows[0].id
})
afterAll(async () => t?.close())

const act = (who: string, id: number, body: Record<string, unknown>) => t.as(who, { method: 'POST', url: `/api/work-orders/${id}/actions`, payload: body })
async function orderAtDepartment(departmentId: number): Promise<number> {
  const r = await t.as('dispatcher', { method: 'POST', url: '/api/work-orders', payload: { category: 'road', description: '桥梁护栏断裂，需住建部门处置', lon: grid.lon, lat: grid.lat } })
  const id = r.json().id as number
  expect((await act('dispatcher', id, { action: 'dispatch', departmentId })).statusCode).toBe(200)
  return id
}

describe('the department role', () => {
  it('has a demo account per department, scoped to it', async () => {
    const me = (await t.as(`dept-${dept}`, '/api/auth/me')).json()
    expect(me).toMatchObject({ role: 'department', departmentId: dept, villageId: null, gridId: null })
    const n = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE role = 'department'`)).rows[0].n
    const d = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM departments')).rows[0].n
    expect(n).toBe(d)
  })

  it('sees the orders sent to it, and no others', async () => {
    const mine = await orderAtDepartment(dept)
    const theirs = await orderAtDepartment(otherDept)
    expect((await t.as(`dept-${dept}`, `/api/work-orders/${mine}`)).statusCode).toBe(200)
    expect((await t.as(`dept-${dept}`, `/api/work-orders/${theirs}`)).statusCode).toBe(403)
    const village = (await t.db.query<{ id: number }>(`SELECT id FROM work_orders WHERE assignee_department_id IS NULL ORDER BY id DESC LIMIT 1`)).rows[0].id
    expect((await t.as(`dept-${dept}`, `/api/work-orders/${village}`)).statusCode).toBe(403)
    const list = (await t.as(`dept-${dept}`, '/api/work-orders?tab=toHandle&limit=500')).json() as WorkOrder[]
    expect(list.some((o) => o.id === mine)).toBe(true)
    expect(list.every((o) => o.assigneeDepartmentId === dept)).toBe(true)
    const all = (await t.as(`dept-${dept}`, '/api/work-orders?limit=500')).json() as WorkOrder[]
    expect(all.some((o) => o.id === theirs)).toBe(false)
  })

  it("reads nothing of the town's people, figures or trucks", async () => {
    const who = `dept-${dept}`
    for (const url of ['/api/households?grid=1', '/api/residents/1', '/api/stats?scope=town', `/api/stats?scope=village:${grid.village_id}`,
      '/api/search?q=%E6%9D%91', '/api/vehicles', '/api/work-orders/kpis?scope=town', '/api/audit', '/api/users', '/api/work-orders/rankings']) {
      expect((await t.as(who, url)).statusCode, url).toBe(403)
    }
    // the map is for everyone who reads anything: the department sees where its orders are
    expect((await t.as(who, '/api/grids')).statusCode).toBe(200)
  })

  it('handles an order sent to it, with its after-photos; another department may not', async () => {
    const id = await orderAtDepartment(dept)
    expect((await act(`dept-${otherDept}`, id, { action: 'handle', note: '已处理' })).statusCode).toBe(403)
    // the town's steps stay the town's, even on the department's own order
    expect(((await t.as(`dept-${dept}`, `/api/work-orders/${id}`)).json() as WorkOrder).actions?.sort()).toEqual(['handle', 'sendBack'])
    expect((await act(`dept-${dept}`, id, { action: 'transfer', departmentId: otherDept })).statusCode).toBe(403)
    const done = await act(`dept-${dept}`, id, { action: 'handle', note: '已更换护栏' })
    expect(done.statusCode).toBe(200)
    expect(done.json()).toMatchObject({ state: 'handled' })
    const h = (await t.as('leader', `/api/work-orders/${id}`)).json() as WorkOrder
    expect(h.history!.at(-1)).toMatchObject({ action: 'handle', actor: `dept-${dept}`, actorRole: 'department', detail: { departmentId: dept } })
    expect((await act(`dept-${dept}`, id, { action: 'review', approve: true })).statusCode).toBe(403)
    expect((await act('leader', id, { action: 'review', approve: true })).statusCode).toBe(200)
    expect((await act(`dept-${dept}`, id, { action: 'reply', note: '已处理完毕' })).statusCode).toBe(403)
  })

  it('sends an order back to the town with a reason, and keeps reading it', async () => {
    const id = await orderAtDepartment(dept)
    const noReason = await act(`dept-${dept}`, id, { action: 'sendBack' })
    expect(noReason.statusCode).toBe(400)
    expect(noReason.json().message).toMatch(/body\/note/)
    const back = await act(`dept-${dept}`, id, { action: 'sendBack', note: '不属于本部门职责，应由镇综合执法处理' })
    expect(back.statusCode).toBe(200)
    expect(back.json()).toMatchObject({ state: 'asked', assigneeDepartmentId: null, assigneeVillageId: null })
    // back in the town's 待派单; the department still reads it, but may no longer act on it
    const toDispatch = (await t.as('dispatcher', '/api/work-orders?tab=toDispatch&limit=500')).json() as WorkOrder[]
    expect(toDispatch.some((o) => o.id === id)).toBe(true)
    expect((await t.as(`dept-${dept}`, `/api/work-orders/${id}`)).statusCode).toBe(200)
    expect((await act(`dept-${dept}`, id, { action: 'handle', note: 'x' })).statusCode).toBe(409)
    // a village may send back what it cannot handle; the command center re-dispatches instead
    expect((await act('dispatcher', id, { action: 'dispatch', villageId: grid.village_id })).statusCode).toBe(200)
    expect((await act('dispatcher', id, { action: 'sendBack', note: '理由' })).statusCode).toBe(403)
    expect((await act(`cadre-${grid.village_id}`, id, { action: 'sendBack', note: '非本村范围' })).statusCode).toBe(200)
  })

  it('is ranked by the town: on time, satisfaction, orders sent back', async () => {
    const r = (await t.as('leader', '/api/work-orders/rankings?days=366')).json() as { departments: DepartmentRank[] }
    const d = r.departments.find((x) => x.departmentId === dept)!
    expect(d.received).toBeGreaterThan(0)
    expect(d.sentBack).toBeGreaterThanOrEqual(1)
    expect(r.departments.length).toBe((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM departments')).rows[0].n)
    for (let i = 1; i < r.departments.length; i++) expect(r.departments[i - 1].score).toBeGreaterThanOrEqual(r.departments[i].score)
  })
})

describe('the inbox', () => {
  it('counts what waits in each tab, as the lists say', async () => {
    for (const who of ['dispatcher', `cadre-${grid.village_id}`, `dept-${dept}`, `gw-${grid.id}`]) {
      const counts = (await t.as(who, '/api/work-orders/inbox')).json() as Record<string, number>
      for (const tab of ['toDispatch', 'toHandle', 'toReview', 'toReply']) {
        const list = (await t.as(who, `/api/work-orders?tab=${tab}&limit=500`)).json() as WorkOrder[]
        if (counts[tab] <= 500) expect(list.length, `${who} ${tab}`).toBe(counts[tab])
      }
      expect(counts.all).toBeGreaterThanOrEqual(counts.toHandle)
    }
  })

  it('filters by source, text, date and pages by id', async () => {
    const hotline = (await t.as('dispatcher', '/api/work-orders?source=hotline&limit=20')).json() as WorkOrder[]
    expect(hotline.length).toBeGreaterThan(0)
    expect(hotline.every((o) => o.source === 'hotline')).toBe(true)
    const text = (await t.as('dispatcher', `/api/work-orders?q=${encodeURIComponent('护栏')}&limit=50`)).json() as WorkOrder[]
    expect(text.length).toBeGreaterThan(0)
    expect(text.every((o) => o.description.includes('护栏'))).toBe(true)
    const next = (await t.as('dispatcher', `/api/work-orders?source=hotline&limit=20&before=${hotline.at(-1)!.id}`)).json() as WorkOrder[]
    expect(next.every((o) => o.id < hotline.at(-1)!.id)).toBe(true)
    const from = new Date(Date.now() - 3_600_000).toISOString()
    const recent = (await t.as('dispatcher', `/api/work-orders?from=${encodeURIComponent(from)}&limit=500`)).json() as WorkOrder[]
    expect(recent.every((o) => o.createdAt >= from)).toBe(true)
    expect((await t.as('dispatcher', '/api/work-orders?tab=nope')).statusCode).toBe(400)
  })

  it("shows a caller's account masked, and the phone only on an audited call-back (回访)", async () => {
    const csv = ['工单编号,受理时间,类别,诉求内容,地址,经度,纬度,来电人,联系电话', `D-CALL-1,2026-11-03 09:15,道路设施,路面塌陷,店子镇,${grid.lon},${grid.lat},李晓明,13912345678`].join('\n')
    expect((await t.as('dispatcher', { method: 'POST', url: '/api/work-orders/import', headers: { 'content-type': 'text/csv' }, payload: Buffer.from(csv) })).statusCode).toBe(200)
    const id = (await t.db.query<{ id: number }>(`SELECT id FROM work_orders WHERE external_id = 'D-CALL-1'`)).rows[0].id
    const order = (await t.as('dispatcher', `/api/work-orders/${id}`)).json() as WorkOrder
    expect(order.caller).toEqual({ name: '李*明', phone: '139****5678' })
    expect((await t.as('display', `/api/work-orders/${id}`)).json().caller).toBeUndefined()
    expect((await t.as(`cadre-${grid.village_id}`, { method: 'POST', url: `/api/work-orders/${id}/caller`, payload: { reason: '回访' } })).statusCode).toBe(403)
    const call = await t.as('dispatcher', { method: 'POST', url: `/api/work-orders/${id}/caller`, payload: { reason: '办结回访' } })
    expect(call.json()).toEqual({ name: '李晓明', phone: '13912345678' })
    const audit = (await t.as('admin', '/api/audit?limit=5')).json().entries[0]
    expect(audit).toMatchObject({ username: 'dispatcher', action: 'callerPhone', workOrderId: id, reason: '办结回访' })
  })
})
