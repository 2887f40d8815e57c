// The figures of /api/stats that count people, cameras, disputes and ledger people, two ways: from the grid
// roll-ups (migration 029; what the API answers) or recounted from the base tables (the
// baseline of `npm run bench -- county`, and what the tests hold the roll-ups to).
import type { Queryable } from '../db/types.ts'
import { ledgerCounts } from '../ledgers/repository.ts'

export interface CountFigures {
  pop: { households: number; residents: number; male: number; female: number; party: number }
  ageBands: { key: string; count: number }[]
  tags: { kind: string; key: string; count: number }[]
  cameras: { key: string; total: number; online: number }[]
  disputes: { type: string; status: string; month: string; n: number }[]
  resolvedMonthly: { month: string; n: number }[]
  /** ledger people (台账) and those past their follow-up date */
  ledger: { people: number; overdue: number }
}

const BANDS = ['0-17岁', '18-59岁', '60-79岁', '80岁以上'] as const
// the Beijing date: a band moves at midnight in the township, not in UTC
const TODAY = `(now() AT TIME ZONE 'Asia/Shanghai')::date`

/** Age bands move with the calendar: grids counted on an earlier day are counted again first. */
export async function freshenRollups(db: Queryable): Promise<void> {
  await db.query(`SELECT rollup_grids(array_agg(grid_id)) FROM grid_rollup WHERE as_of < ${TODAY}`)
}

/** `inGrids` selects the scope's grid ids from $1 village, $2 grid, $3 town (see repository.ts) */
export async function rollupFigures(db: Queryable, inGrids: string, p: unknown[]): Promise<CountFigures> {
  await freshenRollups(db)
  const q = <T>(sql: string) => db.query<T>(sql, p).then((r) => r.rows)
  const [row] = await q<CountFigures['pop'] & { b0: number; b18: number; b60: number; b80: number }>(
    `SELECT coalesce(sum(households), 0) AS households, coalesce(sum(residents), 0) AS residents, coalesce(sum(male), 0) AS male,
            coalesce(sum(female), 0) AS female, coalesce(sum(party), 0) AS party,
            coalesce(sum(age_0_17), 0) AS b0, coalesce(sum(age_18_59), 0) AS b18, coalesce(sum(age_60_79), 0) AS b60, coalesce(sum(age_80), 0) AS b80
       FROM grid_rollup WHERE grid_id IN (${inGrids})`,
  )
  const counts = [row.b0, row.b18, row.b60, row.b80]
  return {
    pop: { households: row.households, residents: row.residents, male: row.male, female: row.female, party: row.party },
    ageBands: BANDS.map((key, i) => ({ key, count: counts[i] })).filter((b) => b.count > 0),
    tags: await q(`SELECT kind, tag AS key, sum(n) AS count FROM grid_rollup_tags WHERE grid_id IN (${inGrids}) GROUP BY kind, tag ORDER BY sum(n) DESC, tag`),
    cameras: await q(`SELECT kind AS key, sum(total) AS total, sum(online) AS online FROM grid_rollup_cameras WHERE grid_id IN (${inGrids}) GROUP BY kind ORDER BY kind`),
    disputes: await q(`SELECT type, status, month, sum(n) AS n FROM grid_rollup_disputes WHERE grid_id IN (${inGrids}) GROUP BY type, status, month`),
    resolvedMonthly: await q(`SELECT month, sum(n) AS n FROM grid_rollup_resolved WHERE grid_id IN (${inGrids}) GROUP BY month`),
    ledger: (await db.query<CountFigures['ledger']>(
      `SELECT count(*)::int AS people, count(*) FILTER (WHERE due < $4::timestamptz)::int AS overdue FROM grid_rollup_ledger WHERE grid_id IN (${inGrids})`,
      [...p, new Date().toISOString()])).rows[0],
  }
}

export async function liveFigures(db: Queryable, inGrids: string, p: unknown[]): Promise<CountFigures> {
  const q = <T>(sql: string) => db.query<T>(sql, p).then((r) => r.rows)
  // the registered population: people who died or moved away leave the counts (人口双实)
  const residentsIn = `SELECT r.* FROM residents r JOIN households h ON h.id = r.household_id WHERE h.grid_id IN (${inGrids}) AND r.deregistered IS NULL`
  const [pop] = await q<CountFigures['pop']>(
    `SELECT (SELECT count(*) FROM households WHERE grid_id IN (${inGrids})) AS households,
            count(*) AS residents, count(*) FILTER (WHERE r.gender = '男') AS male, count(*) FILTER (WHERE r.gender = '女') AS female,
            count(*) FILTER (WHERE r.party_member) AS party
       FROM (${residentsIn}) r`,
  )
  return {
    pop,
    ageBands: await q(
      `SELECT band AS key, count(*) AS count FROM (
         SELECT CASE WHEN age < 18 THEN '0-17岁' WHEN age < 60 THEN '18-59岁' WHEN age < 80 THEN '60-79岁' ELSE '80岁以上' END AS band
           FROM (SELECT date_part('year', age(${TODAY}, r.birth_date)) AS age FROM (${residentsIn}) r) a) b
        GROUP BY band ORDER BY min(band)`,
    ),
    tags: await q(
      `SELECT t.kind, t.tag AS key, count(*) AS count FROM resident_tags t JOIN (${residentsIn}) r ON r.id = t.resident_id
        GROUP BY t.kind, t.tag ORDER BY count(*) DESC, t.tag`,
    ),
    cameras: await q(`SELECT kind AS key, count(*) AS total, count(*) FILTER (WHERE online) AS online FROM cameras WHERE grid_id IN (${inGrids}) GROUP BY kind ORDER BY kind`),
    disputes: await q(
      `SELECT type, status, to_char(reported_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month, count(*) AS n
         FROM disputes WHERE grid_id IN (${inGrids}) GROUP BY type, status, month`,
    ),
    resolvedMonthly: await q(
      `SELECT to_char(resolved_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month, count(*) AS n
         FROM disputes WHERE grid_id IN (${inGrids}) AND status = 'resolved' GROUP BY month`,
    ),
    ledger: await ledgerCounts(db, { villageId: p[0] as number | null, gridId: p[1] as number | null, townId: p[2] as number | null })
      .then(({ people, overdue }) => ({ people, overdue })),
  }
}
