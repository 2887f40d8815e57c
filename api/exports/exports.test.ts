import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'

// Lists as spreadsheets: the same rows, access and scope as the list on the desk, personal fields
// masked as the list masks them for the role, and each export in the audit trail.
let t: TestApp
beforeAll(async () => {
  t = await openTestApp()
})
afterAll(async () => t?.close())

async function sheets(who: string, url: string): Promise<Map<string, string[][]>> {
  const res = await t.as(who, url)
  expect(res.statusCode, res.body.slice(0, 200)).toBe(200)
  expect(res.headers['content-type']).toContain('spreadsheetml')
  expect(res.headers['content-disposition']).toMatch(/filename\*=UTF-8''/)
  const book = new ExcelJS.Workbook()
  await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer)
  const out = new Map<string, string[][]>()
  book.eachSheet((ws) => {
    const rows: string[][] = []
    ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)))))
    out.set(ws.name, rows)
  })
  return out
}
const lastAudit = async () => ((await t.as('admin', '/api/audit?kind=exports&limit=1')).json() as { entries: { action: string; username: string; reason: string }[] }).entries[0]

describe('work orders', () => {
  it("holds the list's rows for its filters, with callers masked for the command center", async () => {
    const village = (await t.db.query<{ id: number }>(
      `SELECT village_id AS id FROM work_orders WHERE source = 'hotline' AND state = 'closed' GROUP BY 1 HAVING count(*) BETWEEN 2 AND 400 ORDER BY 1 LIMIT 1`)).rows[0].id
    const filters = `state=closed&source=hotline&village=${village}`
    // a caller on one of them (the demo's hotline orders carry none)
    await t.db.query(`UPDATE work_orders SET reporter_name = '张三丰', reporter_phone = '13812345678'
                       WHERE id = (SELECT max(id) FROM work_orders WHERE source = 'hotline' AND state = 'closed' AND village_id = $1)`, [village])
    const list = (await t.as('dispatcher', `/api/work-orders?${filters}&limit=500`)).json() as { id: number }[]
    expect(list.length).toBeGreaterThan(0)
    expect(list.length).toBeLessThan(500)
    const book = await sheets('dispatcher', `/api/work-orders/export.xlsx?${filters}`)
    const rows = book.get('工单')!
    expect(rows[0]).toEqual(expect.arrayContaining(['工单号', '类别', '状态', '来电人', '来电电话', '上报时间']))
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(list.map((o) => o.id))
    expect(new Set(rows.slice(1).map((r) => r[2]))).toEqual(new Set(['已关闭']))
    // a hotline caller's name and phone are masked as on the order's page, never whole
    const phoneCol = rows[0].indexOf('来电电话')
    const phones = rows.slice(1).map((r) => r[phoneCol]).filter(Boolean)
    expect(phones).toEqual(['138****5678'])
    expect(rows.slice(1).map((r) => r[phoneCol - 1]).filter(Boolean)).toEqual(['张*丰'])
    expect(rows.flat().some((c) => c.includes('13812345678') || c.includes('张三丰'))).toBe(false)
    expect(await lastAudit()).toMatchObject({ action: 'workOrderExport', username: 'dispatcher' })
    expect((await lastAudit()).reason).toContain('state=closed')
  })

  it("keeps a grid worker to her grid's orders, without callers, and refuses a wall", async () => {
    const grid = (await t.db.query<{ id: number }>(`SELECT grid_id AS id FROM work_orders GROUP BY grid_id ORDER BY count(*) DESC LIMIT 1`)).rows[0].id
    const mine = (await t.as(`gw-${grid}`, '/api/work-orders?limit=500')).json() as { id: number }[]
    const rows = (await sheets(`gw-${grid}`, '/api/work-orders/export.xlsx')).get('工单')!
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(mine.map((o) => o.id))
    expect(rows[0]).not.toContain('来电人')
    expect((await t.as('display', '/api/work-orders/export.xlsx')).statusCode).toBe(403)
    expect((await t.as('dispatcher', '/api/work-orders/export.xlsx?state=moon')).json().message).toMatch(/state/)
  })
})

describe('league tables, alerts and the audit trail', () => {
  it('exports the three league tables, tied scores sharing a rank', async () => {
    const json = (await t.as('leader', '/api/work-orders/rankings?days=90')).json() as { villages: { villageName: string; score: number }[]; gridWorkers: unknown[]; departments: unknown[] }
    const book = await sheets('leader', '/api/work-orders/rankings/export.xlsx?days=90')
    expect([...book.keys()]).toEqual(['村', '网格员', '县直部门'])
    const villages = book.get('村')!.slice(1)
    expect(villages.map((r) => r[1])).toEqual(json.villages.map((v) => v.villageName))
    expect(book.get('网格员')!.length - 1).toBe(json.gridWorkers.length)
    expect(book.get('县直部门')!.length - 1).toBe(json.departments.length)
    json.villages.forEach((v, i) => expect(Number(villages[i][0])).toBe(json.villages.findIndex((x) => x.score === v.score) + 1))
    expect(await lastAudit()).toMatchObject({ action: 'rankingsExport', username: 'leader' })
    expect((await t.as('display', '/api/work-orders/rankings/export.xlsx')).statusCode).toBe(403)
  })

  it("exports vehicle alerts as the list has them, and a cadre's village only", async () => {
    const all = (await t.as('dispatcher', '/api/vehicles/alerts?view=all&limit=500')).json() as { id: number }[]
    const rows = (await sheets('dispatcher', '/api/vehicles/alerts/export.xlsx?view=all')).get('车辆告警')!
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(all.map((a) => a.id))
    const cadre = (await t.as('cadre-1', '/api/vehicles/alerts?view=all&limit=500')).json() as { id: number }[]
    expect((await sheets('cadre-1', '/api/vehicles/alerts/export.xlsx?view=all')).get('车辆告警')!.length - 1).toBe(cadre.length)
    expect((await t.as('display', '/api/vehicles/alerts/export.xlsx')).statusCode).toBe(403)
    expect((await t.as('gw-1', '/api/vehicles/alerts/export.xlsx')).statusCode).toBe(403)
  })

  it('exports the audit trail of a kind for the admin, and writes that export to it', async () => {
    const listed = ((await t.as('admin', '/api/audit?kind=exports&limit=500')).json() as { entries: { id: number }[] }).entries
    const rows = (await sheets('admin', '/api/audit/export.xlsx?kind=exports')).get('审计日志')!
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(listed.map((e) => e.id))
    expect(rows.slice(1).every((r) => r[4] === '导出')).toBe(true)
    expect(await lastAudit()).toMatchObject({ action: 'auditExport', username: 'admin' })
    expect((await t.as('leader', '/api/audit/export.xlsx')).statusCode).toBe(403)
  })
})
