import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { makeIdNumber } from '../../geo/id-number.ts'

// Issue 29: a grid worker tells her households apart (户册: house number and head of household),
// and a newborn is registered before her 户口 gives her an ID number (待登记户口), completed later.
let t: TestApp
let grid: { id: number; village_id: number }
let otherGrid: number
let household: number
beforeAll(async () => {
  t = await openTestApp({ identityLimits: { probesPerHour: 50 } })
  grid = (await t.db.query<{ id: number; village_id: number }>(`SELECT id, village_id FROM grids WHERE kind = 'base' ORDER BY id LIMIT 1 OFFSET 30`)).rows[0]
  otherGrid = (await t.db.query<{ id: number }>(`SELECT id FROM grids WHERE village_id = $1 AND id <> $2 ORDER BY id LIMIT 1`, [grid.village_id, grid.id])).rows[0].id
  household = (await t.db.query<{ id: number }>('SELECT id FROM households WHERE grid_id = $1 ORDER BY id LIMIT 1', [grid.id])).rows[0].id
})
afterAll(async () => t?.close())

const gw = () => `gw-${grid.id}`
const cadre = () => `cadre-${grid.village_id}`
const post = (who: string, url: string, payload: unknown) => t.as(who, { method: 'POST', url, payload: payload as Record<string, unknown> })
const patch = (who: string, url: string, payload: unknown) => t.as(who, { method: 'PATCH', url, payload: payload as Record<string, unknown> })
const population = async (scope: string) => (await t.as('leader', `/api/stats?scope=${scope}`)).json().population.residents as number

describe('户册: her own grid by house number and head of household', () => {
  it('gives a grid worker her households with the whole address, house number and the head\'s full name, and no identifiers', async () => {
    const res = await t.as(gw(), `/api/households/roster?grid=${grid.id}`)
    expect(res.statusCode, res.body).toBe(200)
    const { items } = res.json() as { items: { id: number; address: string; houseNumber: string; head: string | null; members: number }[] }
    const db = (await t.db.query<{ id: number; address: string; house_number: string }>('SELECT id, address, house_number FROM households WHERE grid_id = $1', [grid.id])).rows
    expect(items.map((h) => h.id).sort((a, b) => a - b)).toEqual(db.map((h) => h.id).sort((a, b) => a - b))
    const first = items.find((h) => h.id === household)!
    const row = db.find((h) => h.id === household)!
    expect(first).toMatchObject({ address: row.address, houseNumber: row.house_number })
    const head = (await t.db.query<{ name: string }>(`SELECT name FROM residents WHERE household_id = $1 AND relation = '户主' AND deregistered IS NULL ORDER BY id LIMIT 1`, [household])).rows[0]
    expect(first.head).toBe(head.name)
    // ordered as she walks the lane: by house number, as a number
    const numbers = items.map((h) => Number(h.houseNumber)).filter(Number.isFinite)
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b))
    expect(Object.keys(first).sort()).toEqual(['address', 'head', 'houseNumber', 'id', 'members', 'placed'])
  })

  it('is nobody else\'s: another grid is 403, an unknown one 404; cadres, the center and walls get no names this way', async () => {
    expect((await t.as(gw(), `/api/households/roster?grid=${otherGrid}`)).statusCode).toBe(403)
    expect((await t.as(gw(), '/api/households/roster?grid=999999')).statusCode).toBe(404)
    for (const who of [cadre(), 'leader', 'dispatcher', 'display', 'admin', 'dept-1']) {
      expect((await t.as(who, `/api/households/roster?grid=${grid.id}`)).statusCode, who).toBe(403)
    }
    expect((await t.as(gw(), '/api/households/roster')).statusCode).toBe(400)
  })
})

describe('待登记户口: a newborn before her ID number', () => {
  const born = '2026-11-02'
  let baby = 0

  it('registers a newborn without an ID number: she counts, shows as pending to staff, and nothing else may skip the number', async () => {
    const before = await population(`grid:${grid.id}`)
    const res = await post(gw(), '/api/residents', { householdId: household, name: '李小满', gender: '女', birthDate: born, relation: '孙子女', event: 'birth' })
    expect(res.statusCode, res.body).toBe(201)
    baby = res.json().id
    expect(await population(`grid:${grid.id}`)).toBe(before + 1)
    const member = (await t.as(gw(), `/api/households/${household}`)).json().members.find((m: { id: number }) => m.id === baby)
    expect(member).toMatchObject({ idPending: true, name: '李*满', ageBand: '0–9岁' })
    expect(member.idNumber).toBeUndefined()
    const full = (await t.as(gw(), `/api/residents/${baby}?unmask=1&reason=${encodeURIComponent('核对出生登记')}`)).json()
    expect(full).toMatchObject({ idPending: true, name: '李小满', birthDate: born })
    // a wall's card says nothing about identifiers, pending or not
    const card = (await t.as('display', `/api/households/${household}`)).json().members.find((m: { id: number }) => m.id === baby)
    expect(card.idPending).toBeUndefined()
    // only a birth may wait for its number
    const moveIn = await post(gw(), '/api/residents', { householdId: household, name: '李大满', gender: '男', birthDate: '1990-01-01', relation: '其他', event: 'moveIn' })
    expect(moveIn.statusCode).toBe(400)
    expect(moveIn.json().message).toMatch(/body\/idNumber is required/)
    const history = (await t.as(gw(), `/api/residents/${baby}/history`)).json().entries
    expect(history[0]).toMatchObject({ kind: 'birth', after: expect.objectContaining({ idNumber: null }) })
  })

  it('lists the pending ones of the caller\'s scope (待补身份证号): her grid\'s for her, none of it for another grid', async () => {
    const mine = (await t.as(gw(), '/api/residents/pending-id')).json().items as { id: number; idPending: boolean; name: string }[]
    expect(mine.map((r) => r.id)).toContain(baby)
    expect(mine.find((r) => r.id === baby)).toMatchObject({ idPending: true, name: '李*满' })
    expect((await t.as(cadre(), '/api/residents/pending-id')).json().items.map((r: { id: number }) => r.id)).toContain(baby)
    expect((await t.as(`gw-${otherGrid}`, '/api/residents/pending-id')).json().items.map((r: { id: number }) => r.id)).not.toContain(baby)
    for (const who of ['leader', 'dispatcher', 'display', 'dept-1']) expect((await t.as(who, '/api/residents/pending-id')).statusCode, who).toBe(403)
  })

  it('a 户籍 list bringing her with her new number is refused for that row, not registered twice', async () => {
    await t.db.query(`UPDATE households SET code = 'PEND-1' WHERE id = $1`, [household])
    const file = ['身份证号,姓名,性别,出生日期,与户主关系,户号', `${makeIdNumber('371326', born, 884)},李小满,女,${born},孙子女,PEND-1`].join('\n')
    const res = await t.as(cadre(), { method: 'POST', url: '/api/imports/residents?dryRun=1', headers: { 'content-type': 'text/csv' }, payload: Buffer.from(file) })
    expect(res.statusCode, res.body).toBe(422)
    expect(res.json().errors).toEqual([expect.objectContaining({ row: 2, column: '身份证号', reason: expect.stringContaining(`resident ${baby}`) })])
  })

  it('completes her ID number later: checked against her birth date and sex, unique (409 id_number_taken), then no longer pending', async () => {
    const wrongDay = makeIdNumber('371326', '2026-11-03', 882)
    const bad = await patch(gw(), `/api/residents/${baby}`, { idNumber: wrongDay })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().message).toMatch(/body\/idNumber/)
    const male = makeIdNumber('371326', born, 881)
    expect((await patch(gw(), `/api/residents/${baby}`, { idNumber: male })).statusCode).toBe(400)
    // another baby of the same day already holds this one
    const twin = (await t.db.query<{ id: number }>(`INSERT INTO residents (household_id, name, gender, birth_date, id_number, relation)
      VALUES ($1, '李二满', '女', $2, $3, '孙子女') RETURNING id`, [household, born, makeIdNumber('371326', born, 886)])).rows[0].id
    expect(twin).toBeGreaterThan(0)
    const dup = await patch(gw(), `/api/residents/${baby}`, { idNumber: makeIdNumber('371326', born, 886) })
    expect(dup.statusCode, dup.body).toBe(409)
    expect(dup.json().code).toBe('id_number_taken')
    const good = makeIdNumber('371326', born, 884)
    const ok = await patch(gw(), `/api/residents/${baby}`, { idNumber: good })
    expect(ok.statusCode, ok.body).toBe(200)
    const member = (await t.as(gw(), `/api/residents/${baby}`)).json()
    expect(member.idPending).toBeUndefined()
    expect(member.idNumber).toBe(`${good.slice(0, 6)}**********${good.slice(-2)}`)
    expect((await t.as(gw(), '/api/residents/pending-id')).json().items.map((r: { id: number }) => r.id)).not.toContain(baby)
    const history = (await t.as(gw(), `/api/residents/${baby}/history`)).json().entries
    expect(history.at(-1)).toMatchObject({ kind: 'update', field: 'idNumber', before: null })
  })
})
