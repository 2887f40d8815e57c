// The league tables (擂台赛) of villages and grid workers. Their rows come from the roll-ups
// (migrations 029-032: orders per village and Beijing day, grid workers' reports per grid and
// month or day, visits per grid and month, households per grid), or recounted from work_orders and household_visits (`live`: the baseline of
// `npm run bench -- county`, and what the tests hold the roll-ups to).
import type { Queryable } from '../db/types.ts'
import type { DepartmentRank, GridWorkerRank, VillageRank } from '../../geo/work-orders.ts'
import { departmentRanks, ratio, score, shanghaiMonthStart } from './kpis.ts'
import { ranked } from './league-order.ts'
import { REPORT_CELLS, VILLAGE_CELLS } from './order-cells.ts'

interface VillageRow { id: number; name: string; total: number; closed: number; on_time: number; satisfaction: number | null; households: number; visited: number }
interface WorkerRow { id: number; name: string; village_name: string; grid_worker_name: string; reports: number; visits: number; households: number; visited: number }
interface Window { from: Date; to: Date; monthStart: Date; monthEnd: Date; townId: number | null }

/**
 * The villages' and grid workers' league table for orders reported in [from, to); visits over
 * last month. `townId` keeps a town's villages, grid workers and the orders it sent to county
 * departments; null is the whole county.
 */
export async function rankings(
  db: Queryable, from: Date, to: Date, now = new Date(), opts: { live?: boolean; townId?: number | null } = {},
): Promise<{ villages: VillageRank[]; gridWorkers: GridWorkerRank[]; departments: DepartmentRank[] }> {
  // visits are compared over last month, which is complete for everyone
  const monthEnd = shanghaiMonthStart(now)
  const monthStart = shanghaiMonthStart(new Date(monthEnd.getTime() - 1))
  const w: Window = { from, to, monthStart, monthEnd, townId: opts.townId ?? null }
  // three independent reads: on PostgreSQL each on its own connection of the pool, at once
  const [{ villages, workers }, departments] = await Promise.all([opts.live ? liveRows(db, w) : rollupRows(db, w), departmentRanks(db, from, to, w.townId)])

  const villageRanks = ranked(villages.map((v) => {
    const closureRate = ratio(v.closed, v.total)
    const onTimeRate = ratio(v.on_time, v.closed)
    const coverage = ratio(v.visited, v.households)
    return {
      villageId: v.id, villageName: v.name, total: v.total, closureRate, onTimeRate, satisfaction: v.satisfaction, visitCoverage: coverage,
      score: score([[onTimeRate, 40], [closureRate, 30], [v.satisfaction === null ? null : v.satisfaction / 5, 20], [coverage, 10]]),
    }
  }), (v) => v.villageName, (v) => v.villageId)

  const maxReports = Math.max(1, ...workers.map((x) => x.reports))
  const gridWorkers = ranked(workers.map((x) => {
    const coverage = ratio(x.visited, x.households)
    return {
      gridId: x.id, gridName: x.name, villageName: x.village_name, gridWorkerName: x.grid_worker_name, reports: x.reports, visits: x.visits,
      visitCoverage: coverage, score: score([[coverage, 60], [x.reports / maxReports, 40]]),
    }
  }), (g) => `${g.villageName} ${g.gridName}`, (g) => g.gridId)
  return { villages: villageRanks, gridWorkers, departments }
}

// live: $1 from, $2 to, $3 month start, $4 month end, $5 town; roll-ups: $1 from, $2 to, $3 month start, $4 town
const params = (w: Window) => [w.from.toISOString(), w.to.toISOString(), w.monthStart.toISOString(), w.monthEnd.toISOString(), w.townId]
const rollupParams = (w: Window) => [w.from.toISOString(), w.to.toISOString(), w.monthStart.toISOString(), w.townId]

async function liveRows(db: Queryable, w: Window): Promise<{ villages: VillageRow[]; workers: WorkerRow[] }> {
  const villages = await db.query<VillageRow>(
    `SELECT v.id, v.name,
            coalesce(o.total, 0) AS total, coalesce(o.closed, 0) AS closed, coalesce(o.on_time, 0) AS on_time, o.satisfaction,
            hv.households, hv.visited
       FROM villages v
       LEFT JOIN LATERAL (
         SELECT count(*)::int AS total, count(*) FILTER (WHERE state = 'closed')::int AS closed,
                count(*) FILTER (WHERE state = 'closed' AND NOT was_overdue)::int AS on_time, avg(satisfaction)::float8 AS satisfaction
           FROM work_orders WHERE village_id = v.id AND created_at >= $1 AND created_at < $2 AND outcome IS NULL) o ON true
       LEFT JOIN LATERAL (
         SELECT count(*)::int AS households,
                count(*) FILTER (WHERE EXISTS (SELECT 1 FROM household_visits x WHERE x.household_id = h.id AND x.visited_at >= $3 AND x.visited_at < $4))::int AS visited
           FROM households h JOIN grids g ON g.id = h.grid_id WHERE g.village_id = v.id) hv ON true
      WHERE $5::int IS NULL OR v.town_id = $5
      ORDER BY v.id`,
    params(w),
  )
  const workers = await db.query<WorkerRow>(
    `SELECT g.id, g.name, v.name AS village_name, g.grid_worker_name,
            (SELECT count(*)::int FROM work_orders o WHERE o.grid_id = g.id AND o.source = 'gridWorker' AND o.outcome IS NULL AND o.created_at >= $1 AND o.created_at < $2) AS reports,
            (SELECT count(*)::int FROM household_visits x WHERE x.grid_id = g.id AND x.visited_at >= $3 AND x.visited_at < $4) AS visits,
            (SELECT count(*)::int FROM households h WHERE h.grid_id = g.id) AS households,
            (SELECT count(DISTINCT x.household_id)::int FROM household_visits x WHERE x.grid_id = g.id AND x.visited_at >= $3 AND x.visited_at < $4) AS visited
       FROM grids g JOIN villages v ON v.id = g.village_id WHERE g.retired_at IS NULL AND ($5::int IS NULL OR v.town_id = $5) ORDER BY g.id`,
    params(w),
  )
  return { villages: villages.rows, workers: workers.rows }
}

async function rollupRows(db: Queryable, w: Window): Promise<{ villages: VillageRow[]; workers: WorkerRow[] }> {
  // the visit month's key, as the roll-up writes it (Beijing 'YYYY-MM')
  const month = `to_char($3::timestamptz AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')`
  // a town's cells only (its villages' rows are a tenth of a county's); the literal condition
  // and not "$4 IS NULL OR …", which keeps the planner off the villages' index
  const inTown = (column: string) => (w.townId === null ? 'true' : `${column} IN (SELECT tv.id FROM villages tv WHERE tv.town_id = $4)`)
  const [villages, workers] = await Promise.all([
    db.query<VillageRow>(
      `WITH ${VILLAGE_CELLS},
       o AS (SELECT village_id, sum(total)::int AS total, sum(closed)::int AS closed, sum(on_time)::int AS on_time,
                    (sum(sat_sum)::numeric / nullif(sum(sat_n), 0))::float8 AS satisfaction
               FROM cells WHERE ${inTown('village_id')} GROUP BY village_id),
       hv AS (SELECT g.village_id, coalesce(sum(r.households), 0)::int AS households, coalesce(sum(x.hh_visited), 0)::int AS visited
                FROM grids g LEFT JOIN grid_rollup r ON r.grid_id = g.id
                LEFT JOIN grid_rollup_visits x ON x.grid_id = g.id AND x.month = ${month}
               WHERE ${inTown('g.village_id')}
               GROUP BY g.village_id)
       SELECT v.id, v.name, coalesce(o.total, 0) AS total, coalesce(o.closed, 0) AS closed, coalesce(o.on_time, 0) AS on_time, o.satisfaction,
              coalesce(hv.households, 0) AS households, coalesce(hv.visited, 0) AS visited
         FROM villages v LEFT JOIN o ON o.village_id = v.id LEFT JOIN hv ON hv.village_id = v.id
        WHERE $4::int IS NULL OR v.town_id = $4
        ORDER BY v.id`,
      rollupParams(w),
    ),
    db.query<WorkerRow>(
      `WITH ${REPORT_CELLS},
       o AS (SELECT grid_id, sum(reports)::int AS reports FROM cells
              WHERE ${w.townId === null ? 'true' : 'grid_id IN (SELECT tg.id FROM grids tg JOIN villages tv ON tv.id = tg.village_id WHERE tv.town_id = $4)'}
              GROUP BY grid_id)
       SELECT g.id, g.name, v.name AS village_name, g.grid_worker_name, coalesce(o.reports, 0) AS reports,
              coalesce(x.visits, 0) AS visits, coalesce(r.households, 0) AS households, coalesce(x.visited, 0) AS visited
         FROM grids g JOIN villages v ON v.id = g.village_id
         LEFT JOIN o ON o.grid_id = g.id
         LEFT JOIN grid_rollup r ON r.grid_id = g.id
         LEFT JOIN grid_rollup_visits x ON x.grid_id = g.id AND x.month = ${month}
        -- the grid workers of the grids on the map: a retired grid has nobody's work left
        WHERE g.retired_at IS NULL AND ($4::int IS NULL OR v.town_id = $4)
        ORDER BY g.id`,
      rollupParams(w),
    ),
  ])
  return { villages: villages.rows, workers: workers.rows }
}
