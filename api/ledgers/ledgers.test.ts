import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'

// Ledgers (台账) with a follow-up duty: each group has a period, a follow-up is a visit naming
// the person (or the household as a whole), the list says who is overdue; numbers go to the wall.
let t: TestApp
let person: { id: number; household_id: number; grid_id: number; village_id: number; tag: string }
beforeAll(async () => {
  t = await openTestApp()
  person = (await t.db.query<{ id: number; household_id: number; grid_id: number; village_id: number; tag: string }>(
    `SELECT r.id, r.household_id, h.grid_id, g.village_id, k.tag FROM resident_tags k JOIN residents r ON r.id = k.resident_id
       JOIN households h ON h.id = r.household_id JOIN grids g ON g.id = h.grid_id
      WHERE k.kind = 'care' AND k.tag = '独居老人' ORDER BY r.id LIMIT 1`)).rows[0]
})
afterAll(async () => t?.close())

type Entry = { residentId: number; tag: string; kind: string; overdue: boolean; lastFollowUp: string | null; nextDue: string; name: string; idNumber: string; periodDays: number }
const ledger = async (who: string, query: string) => (await t.as(who, `/api/ledgers?${query}`)).json() as { entries: Entry[]; total: number }
const gw = () => `gw-${person.grid_id}`

describe('ledgers', () => {
  it('list the people of a group in scope with their last follow-up and next due date, masked', async () => {
    const l = await ledger(gw(), `tag=${encodeURIComponent('独居老人')}&limit=500`)
    const me = l.entries.find((e) => e.residentId === person.id)!
    expect(me).toBeDefined()
    expect(me.periodDays).toBe(30)
    expect(me.name).toContain('*')
    expect(me.idNumber).toMatch(/^\d{6}\*{10}[\dX]{2}$/)
    expect(l.entries.every((e) => e.tag === '独居老人')).toBe(true)
    if (me.lastFollowUp) expect(Date.parse(me.nextDue) - Date.parse(me.lastFollowUp)).toBe(30 * 86_400_000)
  })

  it('a follow-up naming the person clears her from the overdue list', async () => {
    // make her overdue first: her group is followed up every day
    expect((await t.as('admin', { method: 'PUT', url: `/api/ledgers/periods/care/${encodeURIComponent('独居老人')}`, payload: { periodDays: 1 } })).statusCode).toBe(200)
    await t.db.query(`UPDATE household_visits SET visited_at = visited_at - interval '400 days' WHERE household_id = $1`, [person.household_id])
    const overdue = async () => (await ledger(gw(), `tag=${encodeURIComponent('独居老人')}&overdue=true&limit=500`)).entries.some((e) => e.residentId === person.id)
    expect(await overdue()).toBe(true)
    const counts = async () => (await t.as('leader', `/api/stats?scope=grid:${person.grid_id}`)).json().management.ledgers as { people: number; overdue: number }
    const before = await counts()
    const visit = await t.as(gw(), { method: 'POST', url: '/api/household-visits', payload: { householdId: person.household_id, note: '随访独居老人', residentIds: [person.id] } })
    expect(visit.statusCode, visit.body).toBe(201)
    expect(visit.json().residentIds).toEqual([person.id])
    expect(await overdue()).toBe(false)
    const after = await counts()
    expect(after.overdue).toBeLessThan(before.overdue)
    expect(after.people).toBe(before.people)
    // a visit can name only members of the household visited
    const stranger = (await t.db.query<{ id: number }>('SELECT id FROM residents WHERE household_id <> $1 LIMIT 1', [person.household_id])).rows[0].id
    expect((await t.as(gw(), { method: 'POST', url: '/api/household-visits', payload: { householdId: person.household_id, residentIds: [stranger] } })).statusCode).toBe(400)
  })

  it('shows key groups to the roles that look after them, never to the wall or the dispatcher', async () => {
    expect((await ledger(`cadre-${person.village_id}`, 'kind=key&limit=5')).entries.every((e) => e.kind === 'key')).toBe(true)
    for (const who of ['display', 'dispatcher', 'device', 'dept-1']) expect((await t.as(who, '/api/ledgers?kind=key')).statusCode, who).toBe(403)
    // the wall gets numbers only
    const wall = (await t.as('display', `/api/stats?scope=village:${person.village_id}`)).json().management.ledgers
    expect(Object.keys(wall).sort()).toEqual(['overdue', 'people'])
    // scope: another village's cadre does not see this grid's people
    const other = (await t.db.query<{ id: number }>('SELECT id FROM villages WHERE id <> $1 LIMIT 1', [person.village_id])).rows[0].id
    expect((await ledger(`cadre-${other}`, `grid=${person.grid_id}&limit=500`)).entries).toHaveLength(0)
  })

  it('exports a ledger with names and ID numbers only for a reason, audited', async () => {
    const url = `/api/ledgers/export.xlsx?tag=${encodeURIComponent('独居老人')}&grid=${person.grid_id}`
    expect((await t.as(gw(), url)).statusCode).toBe(400)
    const res = await t.as(gw(), `${url}&reason=${encodeURIComponent('月度随访计划')}`)
    expect(res.statusCode).toBe(200)
    const book = new ExcelJS.Workbook()
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer)
    const sheet = book.worksheets[0]
    expect(sheet.getRow(1).getCell(6).value).toBe('公民身份号码')
    expect(String(sheet.getRow(2).getCell(6).value)).toMatch(/^\d{17}[\dX]$/)
    const audit = (await t.as('admin', '/api/audit?limit=1')).json().entries[0]
    expect(audit).toMatchObject({ username: gw(), action: 'ledgerExport' })
    expect(audit.reason).toContain('月度随访计划')
    expect((await t.as('dispatcher', `${url}&reason=x1`)).statusCode).toBe(403)
  })
})
