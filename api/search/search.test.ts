import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import type { SearchHit } from './repository.ts'
import { ageOn } from '../access/resident-view.ts'
import { ageBand, maskAddress } from '../privacy/mask.ts'

let t: TestApp
beforeAll(async () => {
  t = await openTestApp()
})
afterAll(async () => t?.close())

const find = async (who: string, q: string) => {
  const res = await t.as(who, `/api/search?q=${encodeURIComponent(q)}`)
  expect(res.statusCode, res.body).toBe(200)
  return res.json().hits as SearchHit[]
}

describe('GET /api/search', () => {
  it('finds a village and its grids by name', async () => {
    const v = (await t.db.query<{ id: number; name: string }>('SELECT id, name FROM villages WHERE id = 5')).rows[0]
    const hits = await find('display', v.name)
    expect(hits[0]).toMatchObject({ kind: 'village', id: v.id, scope: `village:${v.id}` })
    const grids = await find('display', `${v.name}第1网格`)
    expect(grids.some((h) => h.kind === 'grid' && h.scope.startsWith('grid:'))).toBe(true)
  })

  it('finds a resident by full name, masked, with the household to open', async () => {
    const r = (await t.db.query<{ name: string; household_id: number }>('SELECT name, household_id FROM residents ORDER BY id LIMIT 1 OFFSET 500')).rows[0]
    const hits = (await find('leader', r.name)).filter((h) => h.kind === 'resident')
    expect(hits.length).toBeGreaterThan(0)
    // a wall (display) must not tell where a named person lives
    expect((await find('display', r.name)).filter((h) => h.kind === 'resident')).toEqual([])
    expect(hits.some((h) => h.householdId === r.household_id)).toBe(true)
    for (const h of hits) {
      expect(h.label).not.toBe(r.name)
      expect(h.label).toContain('*')
    }
  })

  it('tells residents of the same name apart: gender, age band and the household, its house number withheld', async () => {
    const common = (await t.db.query<{ name: string }>(
      `SELECT name FROM residents WHERE deregistered IS NULL GROUP BY name HAVING COUNT(*) >= 3 ORDER BY COUNT(*) DESC, name LIMIT 1`)).rows[0]
    const hits = (await find('leader', common.name)).filter((h) => h.kind === 'resident')
    expect(hits.length).toBeGreaterThanOrEqual(3)
    const rows = (await t.db.query<{ id: number; birth_date: string; gender: string; address: string; house_number: string }>(
      `SELECT r.id, to_char(r.birth_date, 'YYYY-MM-DD') AS birth_date, r.gender, h.address, h.house_number
         FROM residents r JOIN households h ON h.id = r.household_id WHERE r.id = ANY($1::int[])`, [hits.map((h) => h.id)])).rows
    const byId = new Map(rows.map((r) => [r.id, r]))
    for (const h of hits) {
      const r = byId.get(h.id)!
      expect(h.detail).toContain(ageBand(ageOn(r.birth_date)))
      expect(h.detail).toContain(r.gender)
      expect(h.detail).toContain(maskAddress(r.address, r.house_number))
      // nothing that identifies her further: no birth year, no house number
      expect(h.detail).not.toContain(r.birth_date.slice(0, 4))
    }
    // the rows a person reads can be told apart (the same name, age band and group may recur, rarely)
    const shown = new Set(hits.map((h) => `${h.label} ${h.detail}`))
    expect(shown.size).toBeGreaterThan(hits.length / 2)
  })

  it('finds households by address with the house number withheld', async () => {
    const hits = (await find('display', '一组')).filter((h) => h.kind === 'household')
    expect(hits.length).toBeGreaterThan(0)
    for (const h of hits) expect(h.label).not.toMatch(/\d+号/)
  })

  it("keeps a cadre's people hits inside his village", async () => {
    const r = (await t.db.query<{ name: string }>(
      `SELECT r.name FROM residents r JOIN households h ON h.id = r.household_id JOIN grids g ON g.id = h.grid_id WHERE g.village_id = 2 LIMIT 1`)).rows[0]
    const outside = (await find('cadre-1', r.name)).filter((h) => h.kind === 'resident' || h.kind === 'household')
    const villageOf = async (scope: string) =>
      (await t.db.query<{ v: number }>('SELECT village_id AS v FROM grids WHERE id = $1', [Number(scope.split(':')[1])])).rows[0].v
    for (const h of outside) expect(await villageOf(h.scope)).toBe(1)
  })

  it('validates the query and takes LIKE wildcards literally', async () => {
    expect((await t.as('display', '/api/search')).statusCode).toBe(400)
    expect((await t.as('display', `/api/search?q=${'长'.repeat(41)}`)).statusCode).toBe(400)
    expect(await find('display', '%')).toEqual([])
    expect((await t.app.inject('/api/search?q=x')).statusCode).toBe(401)
  })
})
