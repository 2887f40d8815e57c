import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findLoginCandidate } from '../auth/repository.ts'
import { openTestApp, type TestApp } from '../test/app.ts'
import type { AuthUser } from '../auth/roles.ts'
import { TRANSITIONS, WORK_ORDER_ACTIONS, WORK_ORDER_STATES, type WorkOrder } from '../../geo/work-orders.ts'
import { actOnWorkOrder, createWorkOrder, escalateOverdue, getWorkOrder, type ActionInput } from './repository.ts'

let t: TestApp
let grid: { id: number; village_id: number; lon: number; lat: number }
let otherVillageGrid: { id: number; village_id: number; lon: number; lat: number }
beforeAll(async () => {
  t = await openTestApp()
  const grids = await t.db.query<{ id: number; village_id: number; lon: number; lat: number }>(
    'SELECT id, village_id, ST_X(label_point) AS lon, ST_Y(label_point) AS lat FROM grids ORDER BY id')
  grid = grids.rows[0]
  otherVillageGrid = grids.rows.find((g) => g.village_id !== grid.village_id)!
})
afterAll(async () => t?.close())

const user = async (username: string): Promise<AuthUser> => (await findLoginCandidate(t.db, username))!.user
const report = (username: string, over: Record<string, unknown> = {}) =>
  t.as(username, { method: 'POST', url: '/api/work-orders', payload: { category: 'road', description: '路面塌陷，影响通行', lon: grid.lon, lat: grid.lat, ...over } })
const act = (username: string, id: number, body: Record<string, unknown>) =>
  t.as(username, { method: 'POST', url: `/api/work-orders/${id}/actions`, payload: body })

describe('work orders: the loop 问、派、转、办、审、回', () => {
  it('snaps a report to the grid it lies in, and refuses a place outside every grid', async () => {
    const res = await report(`gw-${grid.id}`)
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ state: 'asked', gridId: grid.id, villageId: grid.village_id, source: 'gridWorker', reporter: `gw-${grid.id}` })
    const outside = await report('dispatcher', { lon: 116.0, lat: 34.0 })
    expect(outside.statusCode).toBe(422)
    expect(outside.json().message).toMatch(/body\/lon,lat/)
    const badCategory = await report('dispatcher', { category: 'aliens' })
    expect(badCategory.statusCode).toBe(400)
    expect(badCategory.json().message).toMatch(/body\/category/)
  })

  it('runs the whole loop with each step taken by the role that owns it, and keeps the history', async () => {
    const created = (await report(`gw-${grid.id}`)).json() as WorkOrder
    const steps: [string, Record<string, unknown>, WorkOrder['state']][] = [
      ['dispatcher', { action: 'dispatch', note: '请村里处理' }, 'dispatched'],
      [`cadre-${grid.village_id}`, { action: 'transfer', departmentId: 11, note: '村里无力维修，乡呼县应' }, 'transferred'],
      ['dispatcher', { action: 'transfer', villageId: grid.village_id, note: '住建局已拨料，由村组织施工' }, 'transferred'],
      [`gw-${grid.id}`, { action: 'handle', note: '已修复' }, 'handled'],
      ['leader', { action: 'review', approve: false, note: '照片不清楚，重办' }, 'dispatched'],
      [`cadre-${grid.village_id}`, { action: 'handle', note: '已修复并拍照' }, 'handled'],
      ['leader', { action: 'review', note: '合格' }, 'reviewed'],
      ['dispatcher', { action: 'reply', note: '已回复上报人' }, 'replied'],
      [`gw-${grid.id}`, { action: 'rate', satisfaction: 5 }, 'closed'],
    ]
    for (const [who, body, state] of steps) {
      const res = await act(who, created.id, body)
      expect(res.statusCode, `${who} ${JSON.stringify(body)}: ${res.body}`).toBe(200)
      expect(res.json().state).toBe(state)
    }
    const done = (await t.as('leader', `/api/work-orders/${created.id}`)).json() as WorkOrder
    expect(done).toMatchObject({ state: 'closed', satisfaction: 5 })
    expect(done.closedAt).not.toBeNull()
    expect(done.history!.map((h) => h.action)).toEqual(['create', 'dispatch', 'transfer', 'transfer', 'handle', 'review', 'handle', 'review', 'reply', 'rate'])
    expect(done.history![2]).toMatchObject({ actor: `cadre-${grid.village_id}`, fromState: 'dispatched', toState: 'transferred', detail: { departmentId: 11 } })
    // the history is append-only, in the database itself
    await expect(t.db.query('UPDATE work_order_history SET note = $1 WHERE order_id = $2', ['改', created.id])).rejects.toThrow(/append-only/)
    await expect(t.db.query('DELETE FROM work_order_history WHERE order_id = $1', [created.id])).rejects.toThrow(/append-only/)
  })

  it('refuses every action from every state the state machine does not allow, with 409', async () => {
    const admin = await user('admin')
    const leader = await user('leader')
    const at = new Date()
    // one order parked in each state, moved there by the admin (the leader reviews: nobody reviews her own handling)
    const route: Record<(typeof WORK_ORDER_STATES)[number], ActionInput[]> = {
      asked: [],
      dispatched: [{ action: 'dispatch' }],
      transferred: [{ action: 'dispatch' }, { action: 'transfer', departmentId: 1 }],
      handled: [{ action: 'dispatch' }, { action: 'handle' }],
      reviewed: [{ action: 'dispatch' }, { action: 'handle' }, { action: 'review' }],
      replied: [{ action: 'dispatch' }, { action: 'handle' }, { action: 'review' }, { action: 'reply' }],
      closed: [{ action: 'dispatch' }, { action: 'handle' }, { action: 'review' }, { action: 'reply' }, { action: 'rate', satisfaction: 4 }],
    }
    for (const state of WORK_ORDER_STATES) {
      const { order } = await createWorkOrder(t.db, { category: 'garbage', description: `状态 ${state}`, lon: grid.lon, lat: grid.lat }, admin, at)
      for (const step of route[state]) await actOnWorkOrder(t.db, order.id, step, step.action === 'review' ? leader : admin, at)
      expect((await getWorkOrder(t.db, order.id, admin)).state).toBe(state)
      for (const action of WORK_ORDER_ACTIONS) {
        if (TRANSITIONS[action].from.includes(state)) continue
        const res = await act('admin', order.id, { action, satisfaction: 3, departmentId: 2 })
        expect(res.statusCode, `${action} from ${state}`).toBe(409)
        expect(res.json().message).toContain(`is ${state}`)
      }
    }
  })

  it('checks who may act: roles and scopes', async () => {
    const order = (await report(`gw-${grid.id}`)).json() as WorkOrder
    expect((await act('display', order.id, { action: 'dispatch' })).statusCode).toBe(403)
    expect((await act(`cadre-${grid.village_id}`, order.id, { action: 'dispatch' })).statusCode).toBe(403)
    expect((await act('dispatcher', order.id, { action: 'dispatch' })).statusCode).toBe(200)
    // another village's cadre does not even see it
    expect((await act(`cadre-${otherVillageGrid.village_id}`, order.id, { action: 'handle' })).statusCode).toBe(403)
    expect((await t.as(`cadre-${otherVillageGrid.village_id}`, `/api/work-orders/${order.id}`)).statusCode).toBe(403)
    // a grid worker reports only within their village, and never as the hotline
    expect((await report(`gw-${grid.id}`, { lon: otherVillageGrid.lon, lat: otherVillageGrid.lat })).statusCode).toBe(403)
    expect((await report(`gw-${grid.id}`, { source: 'hotline' })).statusCode).toBe(403)
    expect((await report('display')).statusCode).toBe(403)
    // the worker of another grid of the village does not handle it
    const other = await t.db.query<{ id: number }>('SELECT id FROM grids WHERE village_id = $1 AND id <> $2 LIMIT 1', [grid.village_id, grid.id])
    expect((await act(`gw-${other.rows[0].id}`, order.id, { action: 'handle' })).statusCode).toBe(403)
    const lists = (await t.as(`cadre-${otherVillageGrid.village_id}`, '/api/work-orders?limit=500')).json() as WorkOrder[]
    expect(lists.every((o) => o.villageId === otherVillageGrid.village_id || o.assigneeVillageId === otherVillageGrid.village_id)).toBe(true)
    expect((await act('dispatcher', order.id, { action: 'transfer' })).json().message).toMatch(/body\/departmentId/)
  })

  it('makes one order of a report its phone sent twice (offline queue replay)', async () => {
    const first = await report(`gw-${grid.id}`, { clientKey: 'phone-queue-0001' })
    const again = await report(`gw-${grid.id}`, { clientKey: 'phone-queue-0001' })
    expect(first.statusCode).toBe(201)
    expect(again.statusCode).toBe(200)
    expect(again.json().id).toBe(first.json().id)
    const n = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM work_orders WHERE client_key = 'phone-queue-0001'")
    expect(n.rows[0].n).toBe(1)
  })

  it('marks overdue orders and raises them to the town, then to the county department (controllable clock)', async () => {
    const admin = await user('admin')
    const t0 = new Date('2026-03-02T01:00:00Z')
    const { order } = await createWorkOrder(t.db, { category: 'road', description: '桥梁护栏损坏', lon: grid.lon, lat: grid.lat }, admin, t0)
    await actOnWorkOrder(t.db, order.id, { action: 'dispatch' }, admin, t0)
    const h = (n: number) => new Date(t0.getTime() + n * 3_600_000)
    // road: 72 h to handle
    await escalateOverdue(t.db, h(71))
    expect((await getWorkOrder(t.db, order.id, admin, h(71))).escalationLevel).toBe(0)
    await escalateOverdue(t.db, h(73))
    let o = await getWorkOrder(t.db, order.id, admin, h(73))
    expect(o).toMatchObject({ escalationLevel: 1, overdue: true, wasOverdue: true, state: 'dispatched', assigneeVillageId: grid.village_id })
    // running again changes nothing
    await escalateOverdue(t.db, h(74))
    expect((await getWorkOrder(t.db, order.id, admin, h(74))).history!.filter((x) => x.action === 'escalate')).toHaveLength(1)
    await escalateOverdue(t.db, h(72 + 72 + 1))
    o = await getWorkOrder(t.db, order.id, admin, h(145))
    expect(o).toMatchObject({ escalationLevel: 2, state: 'transferred', assigneeVillageId: null, assigneeDepartmentId: 11, overdue: false })
    expect(o.history!.filter((x) => x.action === 'escalate').map((x) => x.actor)).toEqual(['system', 'system'])
    // closed late is late: it does not count as on time
    for (const step of ['handle', 'review', 'reply'] as const) await actOnWorkOrder(t.db, order.id, { action: step }, step === 'review' ? await user('leader') : admin, h(146))
    await actOnWorkOrder(t.db, order.id, { action: 'rate', satisfaction: 2 }, admin, h(147))
    o = await getWorkOrder(t.db, order.id, admin, h(148))
    expect(o).toMatchObject({ state: 'closed', wasOverdue: true, overdue: false })
  })

  it('counts the loop in the KPIs and the league table', async () => {
    const kpi = await t.as('leader', `/api/work-orders/kpis?scope=village:${grid.village_id}&days=366`)
    expect(kpi.statusCode).toBe(200)
    const k = kpi.json()
    const rows = (await t.db.query<{ total: number; closed: number; on_time: number; sat: number }>(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE state = 'closed')::int AS closed,
              count(*) FILTER (WHERE state = 'closed' AND NOT was_overdue)::int AS on_time, avg(satisfaction)::float8 AS sat
         FROM work_orders WHERE village_id = $1 AND created_at >= now() - interval '366 days'`, [grid.village_id])).rows[0]
    expect(k.total).toBe(rows.total)
    expect(k.closed).toBe(rows.closed)
    expect(k.closureRate).toBeCloseTo(rows.closed / rows.total, 6)
    expect(k.onTimeRate).toBeCloseTo(rows.on_time / rows.closed, 6)
    expect(k.satisfaction).toBeCloseTo(rows.sat, 6)
    expect((await t.as(`cadre-${otherVillageGrid.village_id}`, `/api/work-orders/kpis?scope=village:${grid.village_id}`)).statusCode).toBe(403)
    expect((await t.as('leader', '/api/work-orders/kpis?scope=city')).statusCode).toBe(400)
    const ranks = (await t.as('leader', '/api/work-orders/rankings?days=366')).json() as { villages: { villageId: number; score: number }[]; gridWorkers: unknown[] }
    expect(ranks.villages).toHaveLength(17)
    expect(ranks.gridWorkers).toHaveLength(208)
    expect(ranks.villages.map((v) => v.score)).toEqual([...ranks.villages.map((v) => v.score)].sort((a, b) => b - a))
  })

  it('records household visits once per client key and counts them in the month\'s coverage', async () => {
    const hh = (await t.db.query<{ id: number }>('SELECT id FROM households WHERE grid_id = $1 ORDER BY id LIMIT 1', [grid.id])).rows[0]
    const visit = (key: string, who = `gw-${grid.id}`) =>
      t.as(who, { method: 'POST', url: '/api/household-visits', payload: { householdId: hh.id, note: '走访', clientKey: key } })
    expect((await visit('visit-key-0001')).statusCode).toBe(201)
    expect((await visit('visit-key-0001')).statusCode).toBe(200)
    expect((await visit('visit-key-0002', `gw-${otherVillageGrid.id}`)).statusCode).toBe(403)
    const k = (await t.as(`gw-${grid.id}`, `/api/work-orders/kpis?scope=grid:${grid.id}`)).json()
    const households = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM households WHERE grid_id = $1', [grid.id])).rows[0].n
    const visited = (await t.db.query<{ n: number }>(
      `SELECT count(DISTINCT household_id)::int AS n FROM household_visits WHERE grid_id = $1 AND visited_at >= $2`,
      [grid.id, new Date(Date.now() - 31 * 86_400_000).toISOString()])).rows[0].n
    expect(visited).toBeGreaterThanOrEqual(1)
    expect(k.visitCoverage).toBeGreaterThan(0)
    expect(k.visitCoverage).toBeLessThanOrEqual(visited / households)
  })

  it('lets an admin add or change a category, its department and deadlines', async () => {
    const put = (user: string, code: string, body: Record<string, unknown>) => t.as(user, { method: 'PUT', url: `/api/work-orders/categories/${code}`, payload: body })
    const sla = { asked: 2, dispatched: 6, transferred: 6, handled: 12, reviewed: 24, replied: 48 }
    expect((await put('dispatcher', 'flood', { name: '防汛', departmentName: '住建局', slaHours: sla })).statusCode).toBe(403)
    const created = await put('admin', 'flood', { name: '防汛', departmentName: '住建局', slaHours: sla })
    expect(created.statusCode).toBe(200)
    expect(created.json()).toMatchObject({ code: 'flood', name: '防汛', departmentName: '住建局', slaHours: sla })
    expect((await put('admin', 'flood', { name: '防汛', departmentName: '气象局', slaHours: sla })).json().message).toMatch(/body\/departmentName/)
    expect((await put('admin', 'flood', { name: '防汛', departmentName: null, slaHours: { ...sla, handled: 0 } })).statusCode).toBe(400)
    const clash = await put('admin', 'roadTwo', { name: '道路设施', departmentName: null, slaHours: sla })
    expect(clash.statusCode, clash.body).toBe(409)
    // a report in the new category gets its deadline
    const order = (await report('dispatcher', { category: 'flood' })).json() as WorkOrder
    expect(Date.parse(order.deadlineAt) - Date.parse(order.stateSince)).toBe(2 * 3_600_000)
    const cats = (await t.as('display', '/api/work-orders/categories')).json() as { code: string }[]
    expect(cats.map((c) => c.code)).toContain('flood')
  })

  it('gives the places of a scope\'s reports for the heatmap', async () => {
    const res = await t.as('leader', `/api/work-orders/heat?scope=village:${grid.village_id}&days=366`)
    expect(res.statusCode).toBe(200)
    const n = (await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM work_orders WHERE village_id = $1 AND created_at >= now() - interval '366 days'`, [grid.village_id])).rows[0].n
    const points = res.json().points as [number, number][]
    expect(points).toHaveLength(n)
    expect(points.every(([lon, lat]) => Math.abs(lon - 117.4) < 0.3 && Math.abs(lat - 35.1) < 0.3)).toBe(true)
    expect((await t.as(`cadre-${otherVillageGrid.village_id}`, `/api/work-orders/heat?scope=village:${grid.village_id}`)).statusCode).toBe(403)
  })
})
