// 疫网即办: insurance and vaccination coverage from residents' items (migration 044), per
// village of the scope, two ways: from the grid roll-ups (what the API answers) or recounted
// from the residents (what the tests hold the roll-ups to). Who is eligible is written down in
// 044: every registered resident for 医保 and 疫苗, those aged 16 and over for 养老.
import type { Queryable } from '../db/types.ts'
import type { Stats } from '../../geo/stats.ts'

export type CoverageRow = NonNullable<Stats['health']>['byVillage'][number]

// the Beijing date: someone turns 16 at midnight in the township, not in UTC
const TODAY = `(now() AT TIME ZONE 'Asia/Shanghai')::date`
const TRUE = `'true'::jsonb`

type Raw = { village_id: number; name: string; eligible: number; medical: number; pension_eligible: number; pension: number; vaccinated: number }
const toRow = (r: Raw): CoverageRow => ({
  villageId: r.village_id, name: r.name, eligible: r.eligible, medicalInsured: r.medical,
  pensionEligible: r.pension_eligible, pensionInsured: r.pension, vaccinated: r.vaccinated,
})

/** `inGrids` selects the scope's grid ids from the parameters `p` (see repository.ts) */
export async function rollupCoverage(db: Queryable, inGrids: string, p: unknown[]): Promise<CoverageRow[]> {
  // the pension's age line moves with the calendar: grids counted on an earlier day first
  await db.query(`SELECT rollup_coverage(array_agg(grid_id)) FROM grid_rollup_coverage WHERE as_of < ${TODAY}`)
  const r = await db.query<Raw>(
    `SELECT g.village_id, v.name, coalesce(sum(c.residents), 0) AS eligible, coalesce(sum(c.medical), 0) AS medical,
            coalesce(sum(c.pension_eligible), 0) AS pension_eligible, coalesce(sum(c.pension), 0) AS pension, coalesce(sum(c.vaccinated), 0) AS vaccinated
       FROM grids g JOIN villages v ON v.id = g.village_id LEFT JOIN grid_rollup_coverage c ON c.grid_id = g.id
      WHERE g.id IN (${inGrids}) GROUP BY g.village_id, v.name ORDER BY g.village_id`, p)
  return r.rows.map(toRow)
}

export async function liveCoverage(db: Queryable, inGrids: string, p: unknown[]): Promise<CoverageRow[]> {
  const r = await db.query<Raw>(
    `SELECT g.village_id, v.name, count(r.id) AS eligible,
            count(r.id) FILTER (WHERE r.items -> 'medicalInsurance' = ${TRUE}) AS medical,
            count(r.id) FILTER (WHERE r.age >= 16) AS pension_eligible,
            count(r.id) FILTER (WHERE r.age >= 16 AND r.items -> 'pensionInsurance' = ${TRUE}) AS pension,
            count(r.id) FILTER (WHERE r.items -> 'vaccinated' = ${TRUE}) AS vaccinated
       FROM grids g JOIN villages v ON v.id = g.village_id
       LEFT JOIN (SELECT h.grid_id, r.id, r.items, date_part('year', age(${TODAY}, r.birth_date)) AS age
                    FROM residents r JOIN households h ON h.id = r.household_id
                   WHERE h.grid_id IN (${inGrids}) AND r.deregistered IS NULL) r ON r.grid_id = g.id
      WHERE g.id IN (${inGrids}) GROUP BY g.village_id, v.name ORDER BY g.village_id`, p)
  return r.rows.map(toRow)
}

/** The scope's coverage: its villages' rows and their sums (the rates follow from the sums). */
export function coverageFigures(month: string, rows: CoverageRow[]): NonNullable<Stats['health']> {
  const sum = (k: 'eligible' | 'medicalInsured' | 'pensionEligible' | 'pensionInsured' | 'vaccinated') => rows.reduce((s, r) => s + r[k], 0)
  return {
    month,
    eligible: sum('eligible'), medicalInsured: sum('medicalInsured'),
    pensionEligible: sum('pensionEligible'), pensionInsured: sum('pensionInsured'), vaccinated: sum('vaccinated'),
    byVillage: rows,
  }
}
