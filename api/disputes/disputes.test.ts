import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import type { Dispute, DisputeList } from '../../geo/disputes.ts'

// 矛盾纠纷排查化解: the stage machine (each allowed step, 409 for the others with their codes, a
// closed dispute final), who may take which step (403 outside the scope or beyond a grid
// worker's 微调解, 404 unknown), the fields a step needs (400 naming them), referrals (转办), the
// parties masked and unmasked only with a reason, audited, and the history append-only.
let t: TestApp
let gridA: number // a base grid of village 1
let gridA2: number // another grid of village 1
let gridB: number // a grid of village 2
const gwA = () => `gw-${gridA}`
beforeAll(async () => {
  t = await openTestApp()
  const grids = async (village: number) =>
    (await t.db.query<{ id: number }>(`SELECT id FROM grids WHERE village_id = $1 AND kind = 'base' ORDER BY id LIMIT 2`, [village])).rows.map((r) => r.id)
  ;[gridA, gridA2] = await grids(1)
  ;[gridB] = await grids(2)
})
afterAll(async () => t?.close())

const record = (who: string, body: Record<string, unknown>) => t.as(who, { method: 'POST', url: '/api/disputes', payload: body })
const step = (who: string, id: number, body: Record<string, unknown>) => t.as(who, { method: 'PATCH', url: `/api/disputes/${id}`, payload: body })
const read = async (who: string, id: number) => {
  const res = await t.as(who, `/api/disputes/${id}`)
  expect(res.statusCode, res.body.slice(0, 200)).toBe(200)
  return res.json() as Dispute
}
async function newDispute(who = 'cadre-1', grid = gridA, extra: Record<string, unknown> = {}): Promise<number> {
  const res = await record(who, { gridId: grid, type: '邻里纠纷', summary: '两户因院墙滴水发生争执', ...extra })
  expect(res.statusCode, res.body).toBe(201)
  return res.json().id
}
const ok = async (res: { statusCode: number; body: string; json(): unknown }) => {
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200)
  return res.json() as Dispute
}
const refused = (res: { statusCode: number; json(): unknown }, status: number, code: string) => {
  expect(res.statusCode).toBe(status)
  expect((res.json() as { code: string }).code).toBe(code)
}

describe('the stage machine (受理 → 微调解 → 中协商 → 大评议 → 结案)', () => {
  it('takes each allowed step in order, by those whose step it is, each in the history', async () => {
    const id = await newDispute(gwA())
    let d = await read(gwA(), id)
    expect(d).toMatchObject({ stage: 'accepted', outcome: null, reporter: gwA(), gridId: gridA, villageId: 1 })
    expect(d.actions).toEqual(['accepted', 'mediating', 'closed'])
    d = await ok(await step(gwA(), id, { stage: 'mediating', mediator: '王秀英', note: '上门了解情况' }))
    expect(d).toMatchObject({ stage: 'mediating', mediator: '王秀英' })
    // 中协商 is the village's: the grid worker hands it on
    expect(d.actions).toEqual(['mediating', 'closed'])
    refused(await step(gwA(), id, { stage: 'consulting', mediator: '李律师' }), 403, 'stage_beyond_grid')
    d = await ok(await step('cadre-1', id, { stage: 'consulting', mediator: '全科协商厅 李律师', note: '组织双方协商' }))
    const since = d.stageSince
    expect((await read(gwA(), id)).actions).toEqual([])
    refused(await step(gwA(), id, { stage: 'consulting', note: '回访' }), 403, 'stage_beyond_grid')
    // a progress note keeps the stage and its time
    d = await ok(await step('cadre-1', id, { stage: 'consulting', note: '第二次协商，双方各退一步' }))
    expect(d).toMatchObject({ stage: 'consulting', stageSince: since, mediator: '全科协商厅 李律师' })
    d = await ok(await step('leader', id, { stage: 'reviewing', mediator: '镇评议团', type: '宅基地' }))
    expect(d).toMatchObject({ stage: 'reviewing', type: '宅基地' })
    expect(d.actions).toEqual(['reviewing', 'closed'])
    d = await ok(await step('leader', id, { stage: 'closed', outcome: 'resolved', note: '达成调解协议' }))
    expect(d).toMatchObject({ stage: 'closed', outcome: 'resolved', mediator: '镇评议团' })
    expect(d.closedAt).not.toBeNull()
    expect(d.actions).toEqual([])
    expect(d.history!.map((h) => [h.stage, h.actor, h.outcome])).toEqual([
      ['accepted', gwA(), null], ['mediating', gwA(), null], ['consulting', 'cadre-1', null], ['consulting', 'cadre-1', null],
      ['reviewing', 'leader', null], ['closed', 'leader', 'resolved'],
    ])
    expect(d.history![4].detail).toEqual({ from: 'consulting', type: { from: '邻里纠纷', to: '宅基地' } })
    const times = d.history!.map((h) => Date.parse(h.at))
    expect(times).toEqual([...times].sort((a, b) => a - b))
    // closed is final, for every role and every stage
    for (const [who, body] of [['leader', { stage: 'closed', outcome: 'unresolved' }], ['admin', { stage: 'reviewing', mediator: 'x' }], ['cadre-1', { stage: 'accepted', note: '重开' }]] as const) {
      refused(await step(who, id, body), 409, 'dispute_closed')
    }
    expect((await read('cadre-1', id)).history).toHaveLength(6)
  })

  it('refuses a skipped or a backward step with 409 stage_not_allowed, and closes from any open stage', async () => {
    const id = await newDispute()
    refused(await step('cadre-1', id, { stage: 'consulting', mediator: '李律师' }), 409, 'stage_not_allowed')
    refused(await step('cadre-1', id, { stage: 'reviewing', mediator: '李律师' }), 409, 'stage_not_allowed')
    await ok(await step('cadre-1', id, { stage: 'mediating', mediator: '王秀英' }))
    refused(await step('cadre-1', id, { stage: 'accepted', note: '退回' }), 409, 'stage_not_allowed')
    refused(await step('cadre-1', id, { stage: 'reviewing', mediator: '李律师' }), 409, 'stage_not_allowed')
    const path = ['mediating', 'consulting', 'reviewing']
    for (const [k, at] of ['accepted', ...path].entries()) {
      const d = await newDispute()
      for (const s of path.slice(0, k)) await ok(await step('cadre-1', d, { stage: s, mediator: '调解员' }))
      const closed = await ok(await step('cadre-1', d, { stage: 'closed', outcome: 'unresolved', note: '调解不成' }))
      expect(closed.history!.map((h) => h.stage)).toEqual(['accepted', ...path.slice(0, k), 'closed'])
      expect(closed.history![k + 1].detail.from).toBe(at)
    }
  })

  it('lets a grid worker close at 微调解, and names what a step lacks with 400', async () => {
    const id = await newDispute(gwA())
    const lacking: [Record<string, unknown>, string][] = [
      [{ stage: 'closed' }, 'body/outcome'],
      [{ stage: 'mediating', mediator: '王', outcome: 'resolved' }, 'body/outcome'],
      [{ stage: 'mediating' }, 'body/mediator'],
      [{ stage: 'mediating', mediator: '   ' }, 'body/mediator'],
      [{ stage: 'accepted' }, 'body/note'],
      [{ stage: 'closed', outcome: 'referred' }, 'body/referToOrderId'],
      [{ stage: 'closed', outcome: 'referred', referToDepartmentId: 9, referToNewOrder: true }, 'body/referToOrderId'],
      [{ stage: 'closed', outcome: 'resolved', referToDepartmentId: 9 }, 'body/referToDepartmentId'],
      [{ stage: 'closed', outcome: 'referred', referToDepartmentId: 999 }, 'body/referToDepartmentId'],
      [{ stage: 'closed', outcome: 'referred', referToOrderId: 99999999 }, 'body/referToOrderId'],
      [{ stage: 'finished' }, 'body/stage'],
      [{ stage: 'closed', outcome: 'resolved', extra: 1 }, 'extra'],
    ]
    for (const [body, field] of lacking) {
      const res = await step(gwA(), id, body)
      expect(res.statusCode, JSON.stringify(body)).toBe(400)
      expect(res.json().message, JSON.stringify(body)).toContain(field)
    }
    expect((await read(gwA(), id)).history).toHaveLength(1)
    const d = await ok(await step(gwA(), id, { stage: 'closed', outcome: 'resolved', note: '当场化解' }))
    expect(d).toMatchObject({ stage: 'closed', outcome: 'resolved' })
  })
})

describe('who may do what, where', () => {
  it('answers 403 outside the scope or the role, 404 for an unknown dispute', async () => {
    const id = await newDispute('cadre-1', gridA, { parties: [{ name: '张小三', phone: '13812345678' }] })
    for (const who of ['cadre-2', `gw-${gridA2}`, `gw-${gridB}`, 'display', 'dept-9', 'device']) {
      expect((await t.as(who, `/api/disputes/${id}`)).statusCode, who).toBe(403)
    }
    for (const who of ['cadre-2', `gw-${gridA2}`, 'dispatcher', 'display', 'dept-9']) {
      expect((await step(who, id, { stage: 'mediating', mediator: '王' })).statusCode, who).toBe(403)
    }
    for (const who of ['display', 'dept-9', 'device']) {
      expect((await record(who, { gridId: gridA, type: '邻里纠纷', summary: '大屏登记' })).statusCode, who).toBe(403)
      expect((await t.as(who, '/api/disputes')).statusCode, who).toBe(403)
    }
    expect((await t.as('leader', '/api/disputes/99999999')).statusCode).toBe(404)
    expect((await step('cadre-1', 99999999, { stage: 'mediating', mediator: '王' })).statusCode).toBe(404)
    expect((await record('cadre-1', { gridId: gridB, type: '邻里纠纷', summary: '邻村的事' })).statusCode).toBe(403)
    expect((await record(gwA(), { gridId: gridA2, type: '邻里纠纷', summary: '邻格的事' })).statusCode).toBe(403)
    const unknownGrid = await record('admin', { gridId: 99999999, type: '邻里纠纷', summary: '没有的网格' })
    expect(unknownGrid.statusCode).toBe(400)
    expect(unknownGrid.json().message).toContain('body/gridId')
    expect((await t.as('cadre-1', '/api/disputes?village=2')).statusCode).toBe(403)
    expect((await t.as(gwA(), `/api/disputes?grid=${gridA2}`)).statusCode).toBe(403)
    // the dispatcher registers (a 12345 call) and reads, masked, but does not mediate
    expect((await read('dispatcher', id)).actions).toEqual([])
    expect((await record('dispatcher', { gridId: gridB, type: '劳资纠纷', summary: '热线反映拖欠工资' })).statusCode).toBe(201)
  })

  it("lists a scope's disputes newest first, filtered and paged, with counts per stage", async () => {
    const mine = await newDispute(gwA(), gridA, { type: '婚姻家庭', summary: '赡养老人问题协商' })
    const list = async (who: string, q = '') => {
      const res = await t.as(who, `/api/disputes${q}`)
      expect(res.statusCode, res.body.slice(0, 200)).toBe(200)
      return res.json() as DisputeList
    }
    const gw = await list(gwA(), '?limit=200')
    expect(gw.items.length).toBeGreaterThan(0)
    expect(gw.items.every((d) => d.gridId === gridA || d.reporter === gwA())).toBe(true)
    expect(gw.items[0].id).toBe(mine)
    const ids = gw.items.map((d) => d.id)
    expect(ids).toEqual([...ids].sort((a, b) => b - a))
    expect((await list('cadre-1', '?limit=200&stage=closed')).items.every((d) => d.stage === 'closed' && d.villageId === 1)).toBe(true)
    expect((await list('leader', '?q=%E8%B5%A1%E5%85%BB%E8%80%81%E4%BA%BA')).items.map((d) => d.id)).toContain(mine)
    expect((await list('leader', `?q=%23${mine}`)).items.map((d) => d.id)).toEqual([mine])
    // pages join up without a gap or a repeat
    const first = await list('leader', '?village=1&limit=7')
    const second = await list('leader', `?village=1&limit=7&before=${first.next}`)
    const both = await list('leader', '?village=1&limit=14')
    expect([...first.items, ...second.items].map((d) => d.id)).toEqual(both.items.map((d) => d.id))
    const counts = (await list('leader', '?village=1&stage=accepted')).counts
    const all = await list('leader', '?village=1&limit=200')
    expect(all.next).toBeNull()
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(all.items.length)
    expect(counts.closed).toBe(all.items.filter((d) => d.stage === 'closed').length)
    expect((await list('leader', '?village=1&open=1&limit=200')).items.every((d) => d.stage !== 'closed')).toBe(true)
  })
})

describe("the parties' personal data", () => {
  it('are masked for every reader, and unmasked only with a reason, audited', async () => {
    const id = await newDispute(gwA(), gridA, { parties: [{ name: '张小三', phone: '13812345678' }, { name: '欧阳小红' }] })
    const audits = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log WHERE dispute_id = $1', [id])).rows[0].n
    for (const who of ['leader', 'dispatcher', 'cadre-1', gwA(), 'admin']) {
      const d = await read(who, id)
      expect(d.parties, who).toEqual([{ name: '张*三', phone: '138****5678' }, { name: '欧**红', phone: '' }])
      expect(d.unmasked).toBe(false)
    }
    const listed = (await t.as('cadre-1', `/api/disputes?q=%23${id}`)).json() as DisputeList
    expect(listed.items[0].parties[0]).toEqual({ name: '张*三', phone: '138****5678' })
    expect(JSON.stringify(listed)).not.toContain('12345678')
    expect(await audits()).toBe(0)
    expect((await t.as(gwA(), `/api/disputes/${id}?unmask=1`)).statusCode).toBe(400)
    expect((await t.as('dispatcher', `/api/disputes/${id}?unmask=1&reason=${encodeURIComponent('回访当事人')}`)).statusCode).toBe(403)
    expect((await t.as('cadre-2', `/api/disputes/${id}?unmask=1&reason=${encodeURIComponent('回访当事人')}`)).statusCode).toBe(403)
    expect(await audits()).toBe(0)
    const res = await t.as(gwA(), `/api/disputes/${id}?unmask=1&reason=${encodeURIComponent('电话约调解时间')}`)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ unmasked: true, parties: [{ name: '张小三', phone: '13812345678' }, { name: '欧阳小红', phone: '' }] })
    const [row] = (await t.db.query<{ username: string; action: string; reason: string }>('SELECT username, action, reason FROM audit_log WHERE dispute_id = $1', [id])).rows
    expect(row).toEqual({ username: gwA(), action: 'disputeParties', reason: '电话约调解时间' })
    const trail = (await t.as('admin', '/api/audit?action=disputeParties')).json() as { entries: { disputeId: number }[] }
    expect(trail.entries[0].disputeId).toBe(id)
  })
})

describe('referrals (转办), replays and the history', () => {
  it('refers to a department, a new work order (which opens no second dispute) or an order in scope', async () => {
    const toDept = await newDispute()
    const d = await ok(await step('cadre-1', toDept, { stage: 'closed', outcome: 'referred', referToDepartmentId: 9, note: '转司法所' }))
    expect(d).toMatchObject({ outcome: 'referred', referredDepartmentId: 9, referredDepartmentName: '司法局', referredOrderId: null })

    const toNew = await newDispute('cadre-1', gridA, { type: '劳资纠纷' })
    const before = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM disputes')).rows[0].n
    const r = await ok(await step('cadre-1', toNew, { stage: 'closed', outcome: 'referred', referToNewOrder: true, note: '调解不成，转工单处理' }))
    expect(r.referredOrderId).not.toBeNull()
    expect((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM disputes')).rows[0].n).toBe(before)
    const order = (await t.as('cadre-1', `/api/work-orders/${r.referredOrderId}`)).json()
    expect(order).toMatchObject({ category: 'dispute', state: 'asked', villageId: 1, disputeId: toNew })
    expect(order.description).toContain('劳资纠纷')
    expect(r.history!.at(-1)!.detail).toMatchObject({ orderId: r.referredOrderId })

    const otherVillage = (await t.db.query<{ id: number }>(`SELECT id FROM work_orders WHERE village_id = 2 AND assignee_village_id IS DISTINCT FROM 1 ORDER BY id LIMIT 1`)).rows[0].id
    const toExisting = await newDispute()
    refused(await step('cadre-1', toExisting, { stage: 'closed', outcome: 'referred', referToOrderId: otherVillage }), 403, 'forbidden')
    const e = await ok(await step('cadre-1', toExisting, { stage: 'closed', outcome: 'referred', referToOrderId: r.referredOrderId }))
    expect(e.referredOrderId).toBe(r.referredOrderId)
  })

  it('makes one dispute of a registration sent twice, and keeps the history append-only', async () => {
    const body = { gridId: gridA, type: '邻里纠纷', summary: '离线登记的纠纷', clientKey: 'dispute-key-0001' }
    const first = await record(gwA(), body)
    expect(first.statusCode).toBe(201)
    const again = await record(gwA(), body)
    expect(again.statusCode).toBe(200)
    expect(again.json().id).toBe(first.json().id)
    expect((await record('cadre-1', body)).statusCode).toBe(409)
    const id = first.json().id as number
    await expect(t.db.query(`UPDATE dispute_history SET note = '改写' WHERE dispute_id = $1`, [id])).rejects.toThrow(/append-only/)
    await expect(t.db.query('DELETE FROM dispute_history WHERE dispute_id = $1', [id])).rejects.toThrow(/append-only/)
    expect((await read(gwA(), id)).history).toHaveLength(1)
  })
})
