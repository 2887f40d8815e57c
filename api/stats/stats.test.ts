import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import type { Stats } from './repository.ts'
import { getStats, monthRange } from './repository.ts'

let t: TestApp
const cache = new Map<string, Stats>()
async function stats(scope: string, as = 'leader'): Promise<Stats> {
  const key = `${as} ${scope}`
  if (!cache.has(key)) {
    const res = await t.as(as, `/api/stats?scope=${scope}`)
    expect(res.statusCode, `${scope}: ${res.body.slice(0, 200)}`).toBe(200)
    cache.set(key, res.json())
  }
  return cache.get(key)!
}
beforeAll(async () => {
  t = await openTestApp()
})
afterAll(async () => t?.close())

// Figures recorded per grid, which must add up grid → village → town.
function gridAdditive(s: Stats): Record<string, number> {
  const out: Record<string, number> = {
    households: s.population.households, residents: s.population.residents, male: s.population.male, female: s.population.female,
    partyMembers: s.population.partyMembers, keyGroupTotal: s.population.keyGroupTotal!, grids: s.management.grids,
    camerasTotal: s.management.cameras.total, camerasOnline: s.management.cameras.online, collectionPoints: s.management.collectionPoints,
    disputes: s.law.disputes, resolved: s.law.resolved, closed: s.law.closed,
    eligible: s.health!.eligible, medical: s.health!.medicalInsured, pensionEligible: s.health!.pensionEligible,
    pension: s.health!.pensionInsured, vaccinated: s.health!.vaccinated,
  }
  for (const b of s.population.ageBands) out[`age ${b.key}`] = b.count
  for (const c of s.population.careGroups) out[`care ${c.key}`] = c.count!
  for (const c of s.management.cameras.byKind) out[`camera ${c.key}`] = c.count
  for (const d of s.law.byType) out[`dispute ${d.key}`] = d.count
  for (const d of s.law.byStatus) out[`status ${d.key}`] = d.count
  // (the months between a scope's first and last dispute are listed even when empty: zeros add nothing)
  for (const m of s.law.monthly) {
    if (m.reported) out[`reported ${m.month}`] = m.reported
    if (m.resolved) out[`resolved ${m.month}`] = m.resolved
  }
  return out
}

// Figures recorded per village, which must add up village → town.
function villageAdditive(s: Stats): Record<string, number> {
  const out = gridAdditive(s)
  for (const f of s.affairs!.fundsByCategory) {
    out[`funds ${f.category}`] = Math.round(f.amountYuan * 100)
    out[`recipients ${f.category}`] = f.recipients
  }
  for (const a of s.party!.attendance) {
    out[`activityDay ${a.month}`] = a.activityDay.attended
    out[`threeMeetings ${a.month}`] = a.threeMeetings.attended
    out[`expected ${a.month}`] = a.activityDay.expected
  }
  out.stars = s.party!.stars.reduce((sum, x) => sum + x.stars, 0)
  return out
}

function addUp(parts: Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = {}
  for (const p of parts) for (const [k, v] of Object.entries(p)) total[k] = (total[k] ?? 0) + v
  return total
}

describe('GET /api/stats', () => {
  it("a village's grid-recorded figures equal the sum over its grids", async () => {
    const grids = (await t.db.query<{ id: number; village_id: number }>('SELECT id, village_id FROM grids WHERE village_id IN (1, 9) ORDER BY id')).rows
    for (const villageId of [1, 9]) {
      const village = gridAdditive(await stats(`village:${villageId}`))
      const parts = await Promise.all(grids.filter((g) => g.village_id === villageId).map(async (g) => gridAdditive(await stats(`grid:${g.id}`))))
      expect(addUp(parts)).toEqual(village)
      expect(village.residents).toBeGreaterThan(1000)
    }
  })

  it("the town's figures equal the sum over its 17 villages", async () => {
    const town = villageAdditive(await stats('town'))
    const parts: Record<string, number>[] = []
    for (let v = 1; v <= 17; v++) parts.push(villageAdditive(await stats(`village:${v}`)))
    const sum = addUp(parts)
    expect(sum).toEqual(town)
    expect(town.residents).toBeGreaterThan(36_000)
    expect(town.grids).toBe(208)
  })

  it('fills all five modules for the town', async () => {
    const s = await stats('town')
    // the bare 'town' names the county's first town, the demo's only one
    expect(s.scope).toMatchObject({ kind: 'town', id: 1, name: '店子镇' })
    expect(s.party!.attendance).toHaveLength(12)
    expect(s.party!.stars).toHaveLength(17)
    expect(s.affairs!.fundsByVillage).toHaveLength(17)
    expect(s.affairs!.notices.length).toBeGreaterThan(5)
    expect(s.health!.byVillage).toHaveLength(17)
    expect(s.management.cameras.total).toBeGreaterThan(100)
    expect(s.law.monthly.length).toBeGreaterThanOrEqual(12)
    expect(s.population.dataItems).toBe(30)
    expect(s.population.departments).toBe(12)
  })

  it('answers town:ID with the town figures and the county with the sum of its towns (the demo: one town)', async () => {
    const town = await stats('town')
    const byId = await stats('town:1')
    expect(byId).toEqual(town)
    const county = await stats('county')
    expect(county.scope).toEqual({ kind: 'county', id: null, name: '示范县', path: [{ kind: 'county', id: null, name: '示范县' }] })
    expect({ ...county, scope: null }).toEqual({ ...town, scope: null })
    // a second town holding one village: the county is the sum of both, each town only its own
    await t.db.exec(`INSERT INTO towns (id, code, name, geom) SELECT 2, '371326102', '邻镇', geom FROM villages WHERE id = 17;
                     UPDATE villages SET town_id = 2 WHERE id = 17`)
    try {
      const [c, t1, t2, v17] = await Promise.all(['county', 'town:1', 'town:2', 'village:17'].map((sc) => t.as('leader', `/api/stats?scope=${sc}`).then((r) => r.json() as Stats)))
      expect(t2.scope.path).toEqual([{ kind: 'town', id: 2, name: '邻镇' }])
      expect(v17.scope.path.map((p) => p.name)).toEqual(['邻镇', v17.scope.name])
      const add = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.keys({ ...a, ...b }).map((k) => [k, (a[k] ?? 0) + (b[k] ?? 0)]))
      expect(add(villageAdditive(t1), villageAdditive(t2))).toEqual(villageAdditive(c))
      expect(villageAdditive(t2)).toEqual(villageAdditive(v17))
      expect(t1.health!.byVillage).toHaveLength(16)
      expect(t2.party!.stars.map((s) => s.villageId)).toEqual([17])
      expect(c.management.grids).toBe(208)
    } finally {
      await t.db.exec(`UPDATE villages SET town_id = 1 WHERE id = 17; DELETE FROM towns WHERE id = 2`)
    }
  })

  it('gives a grid its path and leaves village-recorded modules out (its coverage is its own people\'s)', async () => {
    const grid = (await t.db.query<{ id: number }>('SELECT id FROM grids WHERE village_id = 3 ORDER BY id LIMIT 1')).rows[0].id
    const s = await stats(`grid:${grid}`)
    expect(s.scope.path.map((p) => p.kind)).toEqual(['town', 'village', 'grid'])
    expect(s.party).toBeNull()
    expect(s.affairs).toBeNull()
    expect(s.health!.eligible).toBe(s.population.residents)
    expect(s.health!.byVillage.map((r) => r.villageId)).toEqual([3])
    expect(s.population.households).toBeGreaterThan(30)
    // its disputes by month: every month from the first to the last, none left out
    const months = s.law.monthly.map((m) => m.month)
    expect(months).toEqual(monthRange(months))
    expect(months.length).toBeGreaterThan(1)
  })

  it('lists the months of a range once each, in order, across a year', () => {
    expect(monthRange(['2026-02', '2025-11', '2026-02'])).toEqual(['2025-11', '2025-12', '2026-01', '2026-02'])
    expect(monthRange(['2026-07'])).toEqual(['2026-07'])
    expect(monthRange([])).toEqual([])
  })

  it('sends the figures whole through its response schema (the whitelist drops nothing it should send)', async () => {
    for (const scope of [{ kind: 'village', id: 2 }, { kind: 'grid', id: 5 }] as const) {
      const direct = JSON.parse(JSON.stringify(await getStats(t.db, scope, { keyGroupDetail: true })))
      expect(await stats(`${scope.kind}:${scope.id}`, 'admin')).toEqual(direct)
    }
  })

  it('shows key-group categories only to roles that may see them', async () => {
    expect((await stats('town', 'leader')).population.keyGroups!.length).toBe(7)
    const display = await stats('town', 'display')
    expect(display.population.keyGroups).toBeUndefined()
    expect(display.population.keyGroupTotal).toBeGreaterThan(0)
  })

  it('answers 400 on a bad scope, 404 on an unknown one, 403 outside the caller scope', async () => {
    for (const bad of ['', 'city', 'village:', 'village:abc', 'grid:0', 'town:0', 'county:1', 'village:1;drop']) {
      const res = await t.as('leader', `/api/stats?scope=${encodeURIComponent(bad)}`)
      expect(res.statusCode, bad).toBe(400)
      expect(res.json().message).toContain('scope')
    }
    expect((await t.as('leader', '/api/stats')).statusCode).toBe(400)
    expect((await t.as('leader', '/api/stats?scope=village:999')).statusCode).toBe(404)
    expect((await t.as('cadre-1', '/api/stats?scope=village:1')).statusCode).toBe(200)
    expect((await t.as('cadre-1', '/api/stats?scope=village:2')).statusCode).toBe(403)
    expect((await t.as('cadre-1', '/api/stats?scope=town')).statusCode).toBe(403)
    expect((await t.as('device', '/api/stats?scope=town')).statusCode).toBe(403)
  })

  // runs last: it moves a resident
  it('gives a wall sensitive counts in which no one person shows: small cells suppressed, the rest rounded, at grid and village scope', async () => {
    // a 特困 resident moving from a grid with fewer than 5 to a grid of the same village with fewer than 4
    const care = `SELECT h.grid_id, count(*) FILTER (WHERE k.tag = '特困人员')::int AS n FROM households h
                    LEFT JOIN residents r ON r.household_id = h.id AND r.deregistered IS NULL LEFT JOIN resident_tags k ON k.resident_id = r.id AND k.kind = 'care'
                   GROUP BY h.grid_id`
    const move = (await t.db.query<{ resident_id: number; from_grid: number; to_grid: number; to_household: number; village_id: number }>(
      `WITH c AS (${care})
       SELECT r.id AS resident_id, a.id AS from_grid, b.id AS to_grid, v.id AS to_household, a.village_id
         FROM grids a JOIN c ca ON ca.grid_id = a.id AND ca.n BETWEEN 1 AND 4
         JOIN grids b ON b.village_id = a.village_id AND b.id <> a.id JOIN c cb ON cb.grid_id = b.id AND cb.n <= 3
         JOIN households h ON h.grid_id = a.id JOIN residents r ON r.household_id = h.id AND r.deregistered IS NULL
         JOIN resident_tags k ON k.resident_id = r.id AND k.kind = 'care' AND k.tag = '特困人员'
         JOIN LATERAL (SELECT id FROM households WHERE grid_id = b.id ORDER BY id LIMIT 1) v ON true
        ORDER BY a.id, b.id, r.id LIMIT 1`)).rows[0]
    expect(move).toBeDefined()
    const read = async (who: string, scope: string) => (await t.as(who, `/api/stats?scope=${scope}`)).json() as Stats
    const poor = (s: Stats) => s.population.careGroups.find((c) => c.key === '特困人员')?.count
    const scopes = [`grid:${move.from_grid}`, `grid:${move.to_grid}`, `village:${move.village_id}`]
    const before = await Promise.all(scopes.map((sc) => read('display', sc)))
    const exactBefore = await read('leader', `grid:${move.from_grid}`)
    await t.db.query('UPDATE residents SET household_id = $2 WHERE id = $1', [move.resident_id, move.to_household])
    const after = await Promise.all(scopes.map((sc) => read('display', sc)))
    // staff see the move in the counts; two reads of a wall around it tell nothing about who moved
    expect(poor(await read('leader', `grid:${move.from_grid}`)) ?? 0).toBe(poor(exactBefore)! - 1)
    expect(after.map(poor)).toEqual(before.map(poor))
    expect(poor(after[0])).toBeNull()
    expect(poor(after[1])).toBeNull()

    const groups = (await t.db.query<{ tag: string }>(`SELECT tag FROM ledger_periods WHERE kind = 'care'`)).rows.map((r) => r.tag).sort()
    for (const s of after) {
      expect(s.coarse).toEqual({ below: 5, roundTo: 5 })
      // every care group is listed, counted or not: one appearing says nothing either
      expect(s.population.careGroups.map((c) => c.key).sort()).toEqual(groups)
      const counts = [...s.population.careGroups.map((c) => c.count), s.population.keyGroupTotal, s.management.ledgers.people, s.management.ledgers.overdue]
      for (const n of counts) expect(n === null || (n >= 5 && n % 5 === 0), String(n)).toBe(true)
      expect(s.population.keyGroups).toBeUndefined()
    }
    // staff, and the wall at town scope, get exact counts
    const town = await read('display', 'town')
    expect(town.coarse).toBeNull()
    expect(town.population.careGroups).toEqual((await read('leader', 'town')).population.careGroups)
    expect((await read('leader', `grid:${move.from_grid}`)).coarse).toBeNull()
  })
})
