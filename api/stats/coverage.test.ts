import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { getStats, type Stats } from './repository.ts'
import { withRollupsOnce } from '../imports/bulk.ts'
import type { Scope } from '../access/screen-scope.ts'

// 疫网即办 from the people (migration 044): 医保参保率, 养老参保率 and 疫苗接种率 are counted from
// residents' own items through the grid roll-ups, so a department's import and a grid worker's
// edit move them, by exactly the people they change, and the roll-ups stay equal to a recount.
let t: TestApp
let medical: number
beforeAll(async () => {
  t = await openTestApp()
  medical = (await t.db.query<{ id: number }>(`SELECT department_id AS id FROM data_items WHERE key = 'medicalInsurance'`)).rows[0].id
})
afterAll(async () => t?.close())

type Health = NonNullable<Stats['health']>
const health = async (scope: string): Promise<Health> => {
  const res = await t.as('leader', `/api/stats?scope=${scope}`)
  expect(res.statusCode, res.body.slice(0, 200)).toBe(200)
  return (res.json() as Stats).health!
}
const csv = (rows: string[][]) => Buffer.from(['身份证号,数据项,值', ...rows.map((r) => r.join(','))].join('\r\n'))
const importAs = (who: string, body: Buffer) =>
  t.as(who, { method: 'POST', url: '/api/imports/department-data', headers: { 'content-type': 'text/csv', 'x-file-name': encodeURIComponent('医保参保名单.csv') }, payload: body })
type Person = { id: number; id_number: string; grid_id: number; village_id: number }
const people = async (where: string, limit: number) => (await t.db.query<Person>(
  `SELECT r.id, r.id_number, h.grid_id, h.village_id FROM residents r JOIN households h ON h.id = r.household_id
    WHERE r.deregistered IS NULL AND h.grid_id IS NOT NULL AND ${where} ORDER BY r.id LIMIT ${limit}`)).rows
const row = (h: Health, villageId: number) => h.byVillage.find((r) => r.villageId === villageId)!
const stats = async (scope: string): Promise<Stats> => (await t.as('leader', `/api/stats?scope=${scope}`)).json() as Stats
/** the whole answer with 医保参保率's counts taken out: what must not move when only 医保 changes */
const withoutMedical = (s: Stats) => ({ ...s, health: { ...s.health!, medicalInsured: 0, byVillage: s.health!.byVillage.map((r) => ({ ...r, medicalInsured: 0 })) } })

describe('疫网即办 from residents\' items', () => {
  it('a 医保局 import of 医疗保险 items moves 医保参保率 by exactly the people it changes, and nothing else', async () => {
    const uninsured = await people(`h.village_id = 4 AND (r.items -> 'medicalInsurance') IS DISTINCT FROM 'true'`, 3)
    const insured = await people(`h.village_id = 4 AND r.items -> 'medicalInsurance' = 'true'`, 3)
    expect(uninsured).toHaveLength(3)
    const grid = uninsured[0].grid_id
    const [town0, village0, grid0] = await Promise.all(['town', 'village:4', `grid:${grid}`].map(health))
    const whole0 = await stats('town')
    // three newly insured, two who lapsed, one already insured and listed again
    const file = csv([...uninsured.map((p) => [p.id_number, '医疗保险', '是']), ...insured.slice(0, 2).map((p) => [p.id_number, '医疗保险', '否']), [insured[2].id_number, '医疗保险', '是']])
    const res = await importAs(`dept-${medical}`, file)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ changed: 5, unchanged: 1 })
    const town1 = await health('town')
    const village1 = await health('village:4')
    expect(town1.medicalInsured).toBe(town0.medicalInsured + 1)
    expect(village1.medicalInsured).toBe(village0.medicalInsured + 1)
    expect(row(town1, 4).medicalInsured).toBe(row(town0, 4).medicalInsured + 1)
    // nothing else moved: the other rates, the denominators, the other villages
    expect({ ...town1, medicalInsured: 0, byVillage: [] }).toEqual({ ...town0, medicalInsured: 0, byVillage: [] })
    expect(town1.byVillage.filter((r) => r.villageId !== 4)).toEqual(town0.byVillage.filter((r) => r.villageId !== 4))
    // nor any other figure of the wall's five panels
    expect(withoutMedical(await stats('town'))).toEqual(withoutMedical(whole0))
    // the grid of a newly insured person moved by the people of the file who live in it
    const inGrid = (ps: Person[]) => ps.filter((p) => p.grid_id === grid).length
    expect((await health(`grid:${grid}`)).medicalInsured).toBe(grid0.medicalInsured + inGrid(uninsured) - inGrid(insured.slice(0, 2)))
  })

  it("a grid worker's edit of a resident's 医疗保险 moves 医保参保率 of her grid, village and town, and nothing else", async () => {
    const [p] = await people(`(r.items -> 'medicalInsurance') IS DISTINCT FROM 'true'`, 1)
    const scopes = [`grid:${p.grid_id}`, `village:${p.village_id}`, 'town']
    const before = await Promise.all(scopes.map(stats))
    const patch = await t.as(`gw-${p.grid_id}`, { method: 'PATCH', url: `/api/residents/${p.id}`, payload: { items: { medicalInsurance: '是' } } })
    expect(patch.statusCode, patch.body).toBe(200)
    const after = await Promise.all(scopes.map(stats))
    for (const [i, scope] of scopes.entries()) {
      expect(after[i].health!.medicalInsured, scope).toBe(before[i].health!.medicalInsured + 1)
      expect(withoutMedical(after[i]), scope).toEqual(withoutMedical(before[i]))
    }
  })

  it("a grid worker's edit of a resident moves the rates of her grid, village and town", async () => {
    const [adult] = await people(`r.birth_date < now() - interval '30 years' AND (r.items -> 'pensionInsurance') IS DISTINCT FROM 'true' AND (r.items -> 'vaccinated') IS DISTINCT FROM 'true'`, 1)
    const [child] = await people(`r.birth_date > now() - interval '10 years' AND (r.items -> 'pensionInsurance') IS DISTINCT FROM 'true'`, 1)
    expect(adult && child).toBeTruthy()
    const scopes = [`grid:${adult.grid_id}`, `village:${adult.village_id}`, 'town']
    const before = await Promise.all(scopes.map(health))
    const patch = await t.as(`gw-${adult.grid_id}`, { method: 'PATCH', url: `/api/residents/${adult.id}`, payload: { items: { pensionInsurance: '是', vaccinated: true } } })
    expect(patch.statusCode, patch.body).toBe(200)
    const after = await Promise.all(scopes.map(health))
    for (const [i, scope] of scopes.entries()) {
      expect(after[i].pensionInsured, scope).toBe(before[i].pensionInsured + 1)
      expect(after[i].vaccinated, scope).toBe(before[i].vaccinated + 1)
      expect(after[i].medicalInsured, scope).toBe(before[i].medicalInsured)
      expect(after[i].pensionEligible, scope).toBe(before[i].pensionEligible)
    }
    // a child is not in the pension scheme: marking her insured moves no pension figure
    const childBefore = await health(`grid:${child.grid_id}`)
    expect((await t.as(`gw-${child.grid_id}`, { method: 'PATCH', url: `/api/residents/${child.id}`, payload: { items: { pensionInsurance: true } } })).statusCode).toBe(200)
    expect(await health(`grid:${child.grid_id}`)).toEqual(childBefore)
    // an item cleared (null) is no longer insured
    expect((await t.as(`gw-${adult.grid_id}`, { method: 'PATCH', url: `/api/residents/${adult.id}`, payload: { items: { vaccinated: null } } })).statusCode).toBe(200)
    expect((await health(scopes[0])).vaccinated).toBe(before[0].vaccinated)
  })

  it('counts for 养老 the residents aged 16 and over on the Beijing date, from their 16th birthday', async () => {
    const [p] = await people(`r.birth_date < now() - interval '30 years'`, 1)
    const grid = `grid:${p.grid_id}`
    const sixteenToday = `((now() AT TIME ZONE 'Asia/Shanghai')::date - interval '16 years')::date`
    await t.db.query(`UPDATE residents SET birth_date = ${sixteenToday} + 1, items = items || '{"pensionInsurance": true}' WHERE id = $1`, [p.id])
    const fifteen = await health(grid)
    await t.db.query(`UPDATE residents SET birth_date = ${sixteenToday} WHERE id = $1`, [p.id])
    const sixteen = await health(grid)
    expect(sixteen.pensionEligible).toBe(fifteen.pensionEligible + 1)
    expect(sixteen.pensionInsured).toBe(fifteen.pensionInsured + 1)
    expect(sixteen.eligible).toBe(fifteen.eligible)
  })

  it('gives 疫网即办 at every scope, as of this month', async () => {
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date())
    const town = (await t.as('leader', '/api/stats?scope=town')).json() as Stats
    expect(town.referenceMonth).toBe(month)
    expect(town.health!.month).toBe(month)
    expect(town.health!.byVillage).toHaveLength(17)
    const grid = (await t.as('display', '/api/stats?scope=grid:7')).json() as Stats
    expect(grid.health!.eligible).toBe(grid.population.residents)
    expect(grid.health!.byVillage).toHaveLength(1)
    // plausible rates from the generated people: 医保 above 90%, 养老 and 疫苗 above 75%
    const h = town.health!
    expect(h.eligible).toBe(town.population.residents)
    expect(h.medicalInsured / h.eligible).toBeGreaterThan(0.9)
    expect(h.pensionInsured / h.pensionEligible).toBeGreaterThan(0.75)
    expect(h.vaccinated / h.eligible).toBeGreaterThan(0.75)
    for (const r of h.byVillage) {
      expect(r.medicalInsured).toBeLessThanOrEqual(r.eligible)
      expect(r.pensionInsured).toBeLessThanOrEqual(r.pensionEligible)
      expect(r.pensionEligible).toBeLessThan(r.eligible)
    }
    // villages differ: a chart of 17 equal bars would say nothing
    const rates = h.byVillage.map((r) => r.pensionInsured / r.pensionEligible)
    expect(Math.max(...rates) - Math.min(...rates)).toBeGreaterThan(0.03)
  })

  it('equal a recount after a stream of item writes, single and in bulk, and of the people who hold them', async () => {
    let seed = 44
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
    const keys = ['medicalInsurance', 'pensionInsurance', 'vaccinated']
    const value = () => [true, false, null][Math.floor(rnd() * 3)]
    const grids = (await t.db.query<{ id: number }>('SELECT id FROM grids ORDER BY id')).rows.map((g) => g.id)
    const someone = async () => (await people(`r.id % 61 = ${Math.floor(rnd() * 61)}`, 40))[Math.floor(rnd() * 40)]
    for (let step = 0; step < 40; step++) {
      const key = keys[step % 3]
      switch (step % 8) {
        case 0: // a department's list: one statement over many grids, some set, some cleared
          await t.db.query(`UPDATE residents SET items = items || jsonb_build_object($1::text, $2::jsonb) WHERE id % 83 = $3`, [key, JSON.stringify(value()), Math.floor(rnd() * 83)])
          break
        case 1: // one person's item, and the key removed altogether from another's
          await t.db.query(`UPDATE residents SET items = items || jsonb_build_object($1::text, $2::jsonb) WHERE id = $3`, [key, JSON.stringify(value()), (await someone()).id])
          await t.db.query(`UPDATE residents SET items = items - $1::text WHERE id = $2`, [key, (await someone()).id])
          break
        case 2: // died, or moved away
          await t.db.query(`UPDATE residents SET deregistered = 'death', deregistered_on = current_date WHERE id = $1`, [(await someone()).id])
          break
        case 3: { // born into a household, insured from birth
          const [h] = (await t.db.query<{ id: number }>('SELECT id FROM households WHERE grid_id = $1 ORDER BY id LIMIT 1', [grids[Math.floor(rnd() * grids.length)]])).rows
          await t.db.query(`INSERT INTO residents (household_id, name, gender, birth_date, id_number, relation, party_member, items)
            VALUES ($1, '测试', '女', current_date - 30, $2, '孙子女', false, '{"medicalInsurance": true, "vaccinated": true}')`, [h.id, `C${step}-${h.id}`])
          break
        }
        case 4: // moved to a household of another grid
          await t.db.query(`UPDATE residents SET household_id = (SELECT id FROM households WHERE grid_id = $2 ORDER BY id LIMIT 1) WHERE id = $1`,
            [(await someone()).id, grids[Math.floor(rnd() * grids.length)]])
          break
        case 5: // a household moved to another grid (a boundary redrawn), or waiting to be placed again
          if (rnd() < 0.5) await t.db.query('UPDATE households SET grid_id = $1 WHERE id = (SELECT min(id) FROM households WHERE grid_id <> $1 AND id > $2)', [grids[step], Math.floor(rnd() * 10_000)])
          else await t.db.query('UPDATE households SET grid_id = NULL, geom = NULL WHERE id = (SELECT min(id) FROM households WHERE grid_id IS NOT NULL AND id > $1)', [Math.floor(rnd() * 10_000)])
          break
        case 6: // a birth date corrected across the pension's age line
          await t.db.query(`UPDATE residents SET birth_date = birth_date + CASE WHEN birth_date < now() - interval '16 years' THEN 3650 ELSE -3650 END WHERE id = $1`, [(await someone()).id])
          break
        case 7: // a bulk import with the triggers held back, counted once at the end (api/imports/bulk.ts)
          await t.db.transaction((tx) => withRollupsOnce(tx, async () => {
            const r = await tx.query<{ grid_id: number }>(`UPDATE residents r SET items = r.items || '{"vaccinated": true, "medicalInsurance": false}'
              FROM households h WHERE h.id = r.household_id AND h.grid_id = $1 RETURNING h.grid_id`, [grids[Math.floor(rnd() * grids.length)]])
            return { result: null, grids: r.rows.map((x) => x.grid_id) }
          }))
          break
      }
    }
    const scopes: Scope[] = [{ kind: 'county', id: null }, { kind: 'town', id: 1 }, ...[1, 6, 11].map((id) => ({ kind: 'village' as const, id })), ...grids.filter((_, i) => i % 17 === 0).map((id) => ({ kind: 'grid' as const, id }))]
    for (const scope of scopes) {
      const fromRollups = await getStats(t.db, scope, { keyGroupDetail: true })
      const recounted = await getStats(t.db, scope, { keyGroupDetail: true, live: true })
      expect(fromRollups!.health, `${scope.kind}:${scope.id}`).toEqual(recounted!.health)
    }
    // the next day: rows of an earlier date are counted again when read (the pension's age line moves)
    await t.db.query(`UPDATE grid_rollup_coverage SET as_of = as_of - 1, pension_eligible = pension_eligible + 3`)
    expect((await getStats(t.db, { kind: 'town', id: 1 }, { keyGroupDetail: true }))!.health).toEqual((await getStats(t.db, { kind: 'town', id: 1 }, { keyGroupDetail: true, live: true }))!.health)
  })
})
