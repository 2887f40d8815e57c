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
  t = await openTestApp({ identityLimits: { probesPerHour: 3 } })
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
/** the birth date and sex an ID number says, so only its being taken is refused */
const holding = (idNumber: string) => ({
  idNumber, birthDate: `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`, gender: Number(idNumber[16]) % 2 ? '男' : '女',
})
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
    expect(history[0]).toMatchObject({ kind: 'birth', actor: gw(), eventDate: null })
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
      [{ idNumber: makeIdNumber('000000', '2026-10-03', 101) }, /body\/idNumber holds no real region code \(000000/],
      [{ items: { subsistence: 'maybe' } }, /body\/items\/subsistence must be 是 or 否/],
      [{ name: '' }, /name/],
    ] as [Record<string, unknown>, RegExp][]) {
      const res = await post(gw(), '/api/residents', { ...good, ...over })
      expect(res.statusCode, JSON.stringify(over)).toBe(400)
      expect(res.json().message).toMatch(re)
    }
  })

  it('refuses a duplicate ID number in her scope with 409 naming the household (masked), by code and field', async () => {
    const existing = (await t.db.query<{ id_number: string; household_id: number; house_number: string }>(
      `SELECT r.id_number, r.household_id, h.house_number FROM residents r JOIN households h ON h.id = r.household_id WHERE h.grid_id = $1 LIMIT 1`, [grid.id])).rows[0]
    const res = await post(gw(), '/api/residents', newborn(holding(existing.id_number)))
    expect(res.statusCode).toBe(409)
    expect(res.json()).toMatchObject({ code: 'id_number_taken', householdId: existing.household_id })
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

describe('a duplicate ID number is an identity probe', () => {
  const outsider = async () => (await t.db.query<{ id: number; id_number: string; household_id: number }>(
    `SELECT r.id, r.id_number, r.household_id FROM residents r JOIN households h ON h.id = r.household_id WHERE h.grid_id = $1 ORDER BY r.id LIMIT 1`, [otherVillageGrid])).rows[0]
  const probes = async (who: string) => (await t.db.query<{ resident_id: number | null; reason: string }>(
    `SELECT resident_id, reason FROM audit_log WHERE username = $1 AND action = 'idNumberProbe' ORDER BY id`, [who])).rows

  it('outside the writer\'s scope answers only "already registered": no household, no address; audited', async () => {
    const holder = await outsider()
    const res = await post(cadre(), '/api/residents', newborn({ ...holding(holder.id_number), householdId: household }))
    expect(res.statusCode).toBe(409)
    expect(res.json()).toEqual({ statusCode: 409, error: 'Conflict', code: 'id_number_taken', message: 'body/idNumber is already registered' })
    const audit = await probes(cadre())
    expect(audit).toHaveLength(1)
    expect(audit[0].resident_id).toBe(holder.id)
    expect(audit[0].reason).not.toContain(holder.id_number)
  })

  it('changing an ID number to one held elsewhere is refused the same way', async () => {
    const holder = await outsider()
    const mine = (await post(gw(), '/api/residents', newborn())).json().id as number
    const before = (await probes(gw())).length
    const res = await t.as(gw(), { method: 'PATCH', url: `/api/residents/${mine}`, payload: holding(holder.id_number) })
    expect(res.statusCode).toBe(409)
    expect(res.json()).not.toHaveProperty('householdId')
    expect(res.json()).toMatchObject({ code: 'id_number_taken', message: 'body/idNumber is already registered' })
    expect(await probes(gw())).toHaveLength(before + 1)
  })

  it('is limited per account: past the hour\'s allowance every ID number is 429, before the register is asked', async () => {
    const other = (await t.db.query<{ id: number }>('SELECT id FROM grids WHERE village_id = $1 AND id <> $2 ORDER BY id LIMIT 1', [grid.village_id, grid.id])).rows[0].id
    const home = (await t.db.query<{ id: number }>('SELECT id FROM households WHERE grid_id = $1 ORDER BY id LIMIT 1', [other])).rows[0].id
    const holder = await outsider()
    for (let i = 0; i < 3; i++) expect((await post(`gw-${other}`, '/api/residents', newborn({ ...holding(holder.id_number), householdId: home }))).statusCode).toBe(409)
    const past = await post(`gw-${other}`, '/api/residents', newborn({ ...holding(holder.id_number), householdId: home }))
    expect(past.statusCode).toBe(429)
    expect(past.json().code).toBe('identity_probe_limit')
    // a free number too: otherwise 201 against 429 would still tell which numbers are taken
    const fresh = await post(`gw-${other}`, '/api/residents', newborn({ householdId: home }))
    expect(fresh.statusCode).toBe(429)
    expect(await probes(`gw-${other}`)).toHaveLength(3)
    // another account's allowance is its own
    expect((await post(gw(), '/api/residents', newborn())).statusCode).toBe(201)
  })
})

describe('what the masked view hides stays hidden everywhere', () => {
  it('a newborn\'s exact birth date appears in no answer to any role: history, record, household', async () => {
    const born = '2026-09-17'
    const first = newborn({ birthDate: '2026-09-16', idNumber: makeIdNumber('371326', '2026-09-16', 611) })
    const id = (await post(gw(), '/api/residents', first)).json().id as number
    // the birth date corrected, with the ID number: before → after of both in the history
    const fix = await t.as(gw(), { method: 'PATCH', url: `/api/residents/${id}`, payload: { birthDate: born, idNumber: makeIdNumber('371326', born, 611) } })
    expect(fix.json()).toMatchObject({ changed: 2 })
    const readers = ['admin', 'leader', 'dispatcher', 'display', cadre(), gw(), 'dept-1', 'device']
    let historyRead = 0
    for (const who of readers) {
      for (const url of [`/api/residents/${id}/history`, `/api/residents/${id}`, `/api/households/${household}`]) {
        const res = await t.as(who, url)
        if (url.endsWith('/history') && res.statusCode === 200) {
          historyRead++
          const entries = res.json().entries as { kind: string; eventDate: string | null }[]
          expect(entries.map((e) => e.kind)).toEqual(['birth', 'update', 'update'])
          expect(entries[0].eventDate, who).toBeNull()
        }
        for (const date of ['2026-09-16', born]) {
          expect(res.body, `${who} ${url}`).not.toContain(date)
          expect(res.body, `${who} ${url}`).not.toContain(date.replaceAll('-', ''))
        }
      }
    }
    expect(historyRead).toBe(3)
  })

  it('refusals do not tell a resident\'s birth date, and comparing one is an audited probe', async () => {
    const id = (await t.db.query<{ id: number }>(
      `SELECT r.id FROM residents r JOIN households h ON h.id = r.household_id WHERE h.grid_id = $1 AND r.deregistered IS NULL ORDER BY r.id LIMIT 1`, [grid.id])).rows[0].id
    const real = (await t.db.query<{ d: string; id_number: string }>(`SELECT to_char(birth_date, 'YYYY-MM-DD') AS d, id_number FROM residents WHERE id = $1`, [id])).rows[0]
    const who = 'admin'
    const answers = [
      await t.as(who, { method: 'PATCH', url: `/api/residents/${id}`, payload: { birthDate: '1950-01-01' } }),
      await post(who, `/api/residents/${id}/events`, { type: 'birth', date: '1950-01-01' }),
      await t.as(who, { method: 'PATCH', url: `/api/residents/${id}`, payload: { idNumber: makeIdNumber('371326', '1950-01-01', 611) } }),
    ]
    for (const res of answers) {
      expect(res.statusCode, res.body).toBe(400)
      expect(res.body).not.toContain(real.d)
      expect(res.body).not.toContain(real.id_number.slice(6, 14))
    }
    const audit = (await t.db.query(`SELECT 1 FROM audit_log WHERE username = $1 AND action = 'birthDateProbe' AND resident_id = $2`, [who, id])).rows
    expect(audit).toHaveLength(3)
  })
})
