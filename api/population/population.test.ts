import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { makeIdNumber } from '../../geo/id-number.ts'

// 人口双实: residents and households written by the people who know them, with history.
let t: TestApp
let grid: { id: number; village_id: number; lon: number; lat: number }
let otherVillageGrid: number
let household: number
let otherHousehold: number
beforeAll(async () => {
  t = await openTestApp()
  grid = (await t.db.query<{ id: number; village_id: number; lon: number; lat: number }>(
    `SELECT id, village_id, ST_X(label_point) AS lon, ST_Y(label_point) AS lat FROM grids WHERE kind = 'base' ORDER BY id LIMIT 1 OFFSET 40`)).rows[0]
  otherVillageGrid = (await t.db.query<{ id: number }>('SELECT id FROM grids WHERE village_id <> $1 ORDER BY id LIMIT 1', [grid.village_id])).rows[0].id
  const hs = (await t.db.query<{ id: number }>('SELECT id FROM households WHERE grid_id = $1 ORDER BY id LIMIT 2', [grid.id])).rows
  household = hs[0].id
  otherHousehold = (await t.db.query<{ id: number }>('SELECT id FROM households WHERE grid_id = $1 ORDER BY id LIMIT 1', [otherVillageGrid])).rows[0].id
})
afterAll(async () => t?.close())

const gw = () => `gw-${grid.id}`
const cadre = () => `cadre-${grid.village_id}`
const post = (who: string, url: string, payload: unknown) => t.as(who, { method: 'POST', url, payload: payload as Record<string, unknown> })
const population = async (scope: string) => (await t.as('leader', `/api/stats?scope=${scope}`)).json().population.residents as number
let seq = 500
const newborn = (over: Record<string, unknown> = {}) => {
  const birthDate = '2026-10-03'
  return { householdId: household, name: '王小宝', idNumber: makeIdNumber('371326', birthDate, (seq += 2) + 1), gender: '男', birthDate, relation: '孙子', event: 'birth', ...over }
}

describe('residents are written, with history', () => {
  it('registers a newborn in her grid; the counts go up by one', async () => {
    const before = await population(`village:${grid.village_id}`)
    const res = await post(gw(), '/api/residents', newborn())
    expect(res.statusCode, res.body).toBe(201)
    const id = res.json().id as number
    expect(await population(`village:${grid.village_id}`)).toBe(before + 1)
    const card = (await t.as(gw(), `/api/households/${household}`)).json()
    expect(card.members.some((m: { id: number }) => m.id === id)).toBe(true)
    const history = (await t.as(gw(), `/api/residents/${id}/history`)).json().entries
    expect(history).toHaveLength(1)
    expect(history[0]).toMatchObject({ kind: 'birth', actor: gw(), eventDate: '2026-10-03' })
    // masked as the reader's role requires: the name and ID number do not come back whole
    expect(JSON.stringify(history)).not.toContain('王小宝')
    expect(history[0].after.idNumber).toMatch(/^\d{6}\*{10}[\dX]{2}$/)
  })

  it('checks ID numbers (check digit, birth date, sex digit) and names the field', async () => {
    const good = newborn()
    const badCheck = good.idNumber.slice(0, 17) + (good.idNumber[17] === '0' ? '1' : '0')
    for (const [over, re] of [
      [{ idNumber: badCheck }, /body\/idNumber has a wrong check digit/],
      [{ birthDate: '2026-10-04' }, /body\/idNumber says born 2026-10-03/],
      [{ gender: '女' }, /body\/idNumber says 男/],
      [{ idNumber: '12345' }, /body\/idNumber must be 17 digits/],
      [{ items: { subsistence: 'maybe' } }, /body\/items\/subsistence must be 是 or 否/],
      [{ name: '' }, /name/],
    ] as [Record<string, unknown>, RegExp][]) {
      const res = await post(gw(), '/api/residents', { ...good, ...over })
      expect(res.statusCode, JSON.stringify(over)).toBe(400)
      expect(res.json().message).toMatch(re)
    }
  })

  it('refuses a duplicate ID number with 409 naming the household it belongs to, masked', async () => {
    const existing = (await t.db.query<{ id_number: string; household_id: number; house_number: string }>(
      `SELECT r.id_number, r.household_id, h.house_number FROM residents r JOIN households h ON h.id = r.household_id WHERE h.grid_id = $1 LIMIT 1`, [grid.id])).rows[0]
    const [y, m, d] = [existing.id_number.slice(6, 10), existing.id_number.slice(10, 12), existing.id_number.slice(12, 14)]
    const res = await post(gw(), '/api/residents', newborn({ idNumber: existing.id_number, birthDate: `${y}-${m}-${d}`, gender: Number(existing.id_number[16]) % 2 ? '男' : '女' }))
    expect(res.statusCode).toBe(409)
    expect(res.json().message).toContain(`household ${existing.household_id}`)
    expect(res.json().message).not.toContain(`${existing.house_number}号`)
  })

  it('keeps each role to its scope, and display and dispatcher out entirely', async () => {
    const outside = { ...newborn(), householdId: otherHousehold }
    expect((await post(gw(), '/api/residents', outside)).statusCode).toBe(403)
    expect((await post(cadre(), '/api/residents', outside)).statusCode).toBe(403)
    expect((await post('admin', '/api/residents', { ...outside, idNumber: makeIdNumber('371326', '2026-10-03', 901) })).statusCode).toBe(201)
    const someone = (await t.db.query<{ id: number }>('SELECT id FROM residents WHERE household_id = $1 LIMIT 1', [household])).rows[0].id
    for (const who of ['display', 'dispatcher', 'leader', 'device']) {
      expect((await post(who, '/api/residents', newborn())).statusCode, who).toBe(403)
      expect((await t.as(who, `/api/residents/${someone}/history`)).statusCode, who).toBe(403)
      expect((await t.as(who, { method: 'PATCH', url: `/api/residents/${someone}`, payload: { relation: '其他' } })).statusCode, who).toBe(403)
    }
    expect((await t.as(`gw-${otherVillageGrid}`, `/api/residents/${someone}/history`)).statusCode).toBe(403)
  })

  it('records each changed field, before → after, and follows care groups from items', async () => {
    const id = (await post(cadre(), '/api/residents', newborn())).json().id as number
    const res = await t.as(cadre(), { method: 'PATCH', url: `/api/residents/${id}`, payload: { relation: '孙女', phone: '13811112222', items: { subsistence: '是', education: '学龄前' } } })
    expect(res.json()).toEqual({ id, changed: 4 })
    const again = await t.as(cadre(), { method: 'PATCH', url: `/api/residents/${id}`, payload: { relation: '孙女' } })
    expect(again.json().changed).toBe(0)
    const tags = (await t.db.query<{ tag: string }>(`SELECT tag FROM resident_tags WHERE resident_id = $1`, [id])).rows.map((r) => r.tag)
    expect(tags).toContain('低保对象')
    const entries = (await t.as(cadre(), `/api/residents/${id}/history`)).json().entries as { field: string; before: unknown; after: unknown }[]
    expect(entries.find((e) => e.field === 'relation')).toMatchObject({ before: '孙子', after: '孙女' })
    expect(entries.find((e) => e.field === 'phone')).toMatchObject({ before: null, after: '138****2222' })
    // a sensitive item changes visibly, its values never show
    expect(entries.find((e) => e.field === 'items.subsistence')).toMatchObject({ before: null, after: '***' })
    await t.as(cadre(), { method: 'PATCH', url: `/api/residents/${id}`, payload: { items: { subsistence: false } } })
    expect((await t.db.query(`SELECT 1 FROM resident_tags WHERE resident_id = $1 AND tag = '低保对象'`, [id])).rows).toHaveLength(0)
  })

  it('deregisters on death and moving away: out of the counts, still in history', async () => {
    const id = (await post(gw(), '/api/residents', newborn())).json().id as number
    const before = await population(`grid:${grid.id}`)
    expect((await post(gw(), `/api/residents/${id}/events`, { type: 'death', date: '2026-11-20', note: '病故' })).statusCode).toBe(200)
    expect(await population(`grid:${grid.id}`)).toBe(before - 1)
    expect((await post(gw(), `/api/residents/${id}/events`, { type: 'death', date: '2026-11-20' })).statusCode).toBe(409)
    expect((await post(gw(), `/api/residents/${id}/events`, { type: 'moveIn', date: '2026-11-21' })).statusCode).toBe(409)
    const r = (await t.as(gw(), `/api/residents/${id}`)).json()
    expect(r).toMatchObject({ status: 'death', statusSince: '2026-11-20' })
    expect((await t.as(gw(), `/api/households/${household}`)).json().members.some((m: { id: number }) => m.id === id)).toBe(false)
    const kinds = (await t.as(gw(), `/api/residents/${id}/history`)).json().entries.map((e: { kind: string }) => e.kind)
    expect(kinds).toEqual(['birth', 'death'])
    // moving away and back
    const other = (await post(gw(), '/api/residents', newborn())).json().id as number
    await post(gw(), `/api/residents/${other}/events`, { type: 'moveOut', date: '2026-11-01' })
    expect((await post(gw(), `/api/residents/${other}/events`, { type: 'moveIn', date: '2026-11-15' })).statusCode).toBe(200)
    expect((await post(gw(), `/api/residents/${other}/events`, { type: 'death', date: '2099-01-01' })).json().message).toMatch(/future/)
  })
})

describe('replays from a phone', () => {
  it('return the first answer for the same clientKey, and refuse another user\'s key', async () => {
    const body = newborn({ clientKey: 'phone-reg-0001' })
    const first = await post(gw(), '/api/residents', body)
    expect(first.statusCode).toBe(201)
    const again = await post(gw(), '/api/residents', body)
    expect(again.statusCode).toBe(200)
    expect(again.json().id).toBe(first.json().id)
    expect((await post(cadre(), '/api/residents', newborn({ clientKey: 'phone-reg-0001' }))).statusCode).toBe(409)
    const id = first.json().id as number
    const move = { type: 'moveOut', date: '2026-11-25', clientKey: 'phone-evt-0001' }
    expect((await post(gw(), `/api/residents/${id}/events`, move)).statusCode).toBe(200)
    expect((await post(gw(), `/api/residents/${id}/events`, move)).statusCode).toBe(200)
    const kinds = (await t.as(gw(), `/api/residents/${id}/history`)).json().entries.map((e: { kind: string }) => e.kind)
    expect(kinds).toEqual(['birth', 'moveOut'])
  })
})

describe('households', () => {
  it('are created at a point in the grid that holds it, split and merged', async () => {
    const made = await post(gw(), '/api/households', { lon: grid.lon, lat: grid.lat, address: '店子镇某村三组', houseNumber: '99' })
    expect(made.statusCode).toBe(201)
    expect(made.json().gridId).toBe(grid.id)
    expect((await post(gw(), '/api/households', { lon: 100, lat: 10, address: '镇外某处', houseNumber: '1' })).statusCode).toBe(422)
    const a = (await post(gw(), '/api/residents', newborn({ householdId: made.json().id, relation: '户主', birthDate: '1990-05-05', idNumber: makeIdNumber('371326', '1990-05-05', 301), event: 'moveIn' }))).json().id
    const b = (await post(gw(), '/api/residents', newborn({ householdId: made.json().id, relation: '子', idNumber: makeIdNumber('371326', '2026-10-03', 303) }))).json().id
    const split = await post(gw(), `/api/households/${made.json().id}/split`, { residentIds: [b], address: '店子镇某村三组', houseNumber: '99-1' })
    expect(split.statusCode).toBe(201)
    expect((await t.db.query<{ household_id: number }>('SELECT household_id FROM residents WHERE id = $1', [b])).rows[0].household_id).toBe(split.json().id)
    expect((await post(gw(), `/api/households/${made.json().id}/split`, { residentIds: [a], address: 'x地址', houseNumber: '1' })).statusCode).toBe(400)
    const merged = await post(gw(), `/api/households/${made.json().id}/merge`, { fromHouseholdId: split.json().id })
    expect(merged.json()).toEqual({ id: made.json().id, moved: 1 })
    const kinds = (await t.as(gw(), `/api/residents/${b}/history`)).json().entries.map((e: { kind: string; note: string }) => `${e.kind}:${e.note}`)
    expect(kinds).toEqual(['birth:', 'moveHousehold:分户', 'moveHousehold:合户'])
  })
})
