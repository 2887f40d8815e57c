import type { Queryable } from '../db/types.ts'
import type { DepartmentRank, WorkOrderKpis } from '../../geo/work-orders.ts'
import { shanghaiMidnight } from '../../geo/time.ts'
import { ranked } from './league-order.ts'
import { VILLAGE_CELLS } from './order-cells.ts'

export interface KpiScope {
  villageId: number | null
  gridId: number | null
  /** a town's orders: those of its villages (null with the others null: the county) */
  townId?: number | null
}

const IN_TOWN = '($5::int IS NULL OR g.village_id IN (SELECT tv.id FROM villages tv WHERE tv.town_id = $5))'

export const ratio = (a: number, b: number) => (b > 0 ? a / b : null)
export const score = (parts: [number | null, number][]) => Math.round(parts.reduce((s, [v, w]) => s + (v ?? 0) * w, 0) * 10) / 10

/**
 * The loop's figures for orders reported in [from, to) within a scope: the counts, rates and
 * averages from the order roll-ups (migrations 030-032; whole Beijing days, and the window's
 * two partial days from work_orders), the open ones as the cells' orders less their closed, the
 * overdue ones as the open less those not yet due, visit coverage from the grid roll-ups. `live`
 * recounts everything from the base tables: the bench's baseline and what the tests hold the
 * roll-ups to.
 */
export async function workOrderKpis(db: Queryable, scope: KpiScope, from: Date, to: Date, now = new Date(), opts: { live?: boolean } = {}): Promise<WorkOrderKpis> {
  const live = opts.live === true
  const k = live ? await liveCounts(db, scope, from, to, now) : await rollupCounts(db, scope, from, to, now)
  const thisMonth = shanghaiMonthStart(now)
  const lastMonth = shanghaiMonthStart(new Date(thisMonth.getTime() - 1))
  return {
    total: k.total,
    open: k.open,
    overdueOpen: k.overdue_open,
    closed: k.closed,
    closureRate: ratio(k.closed, k.total),
    onTimeRate: ratio(k.on_time, k.closed),
    avgHandlingHours: k.handling_h,
    satisfaction: k.satisfaction,
    visitCoverage: await visitCoverage(db, scope, thisMonth, now, live),
    visitCoverageLastMonth: await visitCoverage(db, scope, lastMonth, thisMonth, live),
  }
}

interface Counts { total: number; open: number; overdue_open: number; closed: number; on_time: number; handling_h: number | null; satisfaction: number | null }
const scopeParams = (scope: KpiScope) => [scope.villageId, scope.gridId, scope.townId ?? null]
/**
 * $3 village, $4 grid, $5 town, on a row's village_id and grid_id: only the scope's own
 * conditions, as literals ("$5 IS NULL OR …" keeps the planner off the village indexes: a
 * town's open orders took 68 ms instead of 7 on a county)
 */
const inScope = (scope: KpiScope) => [
  scope.villageId !== null ? 'village_id = $3' : '$3::int IS NULL',
  scope.gridId !== null ? 'grid_id = $4' : '$4::int IS NULL',
  scope.townId != null ? 'village_id IN (SELECT tv.id FROM villages tv WHERE tv.town_id = $5)' : '$5::int IS NULL',
].join(' AND ')

async function liveCounts(db: Queryable, scope: KpiScope, from: Date, to: Date, now: Date): Promise<Counts> {
  const r = await db.query<Counts>(
    `SELECT count(*)::int AS total,
            count(*) FILTER (WHERE state <> 'closed')::int AS open,
            count(*) FILTER (WHERE state <> 'closed' AND deadline_at < $6)::int AS overdue_open,
            count(*) FILTER (WHERE state = 'closed')::int AS closed,
            count(*) FILTER (WHERE state = 'closed' AND NOT was_overdue)::int AS on_time,
            (avg(extract(epoch FROM handled_at - created_at)) / 3600)::float8 AS handling_h,
            avg(satisfaction)::float8 AS satisfaction
       FROM work_orders
      WHERE created_at >= $1 AND created_at < $2 AND outcome IS NULL AND ${inScope(scope)}`,
    [from.toISOString(), to.toISOString(), ...scopeParams(scope), now.toISOString()],
  )
  return r.rows[0]
}

async function rollupCounts(db: Queryable, scope: KpiScope, from: Date, to: Date, now: Date): Promise<Counts> {
  // a grid's year is a few hundred orders on its (grid_id, created_at) index: counted directly
  if (scope.gridId !== null) return liveCounts(db, scope, from, to, now)
  const args = [from.toISOString(), to.toISOString(), ...scopeParams(scope)]
  const [c, o] = await Promise.all([
    db.query<Omit<Counts, 'open' | 'overdue_open'>>(
      `WITH ${VILLAGE_CELLS}
       SELECT coalesce(sum(total), 0)::int AS total, coalesce(sum(closed), 0)::int AS closed, coalesce(sum(on_time), 0)::int AS on_time,
              (sum(handled_s) / nullif(sum(handled_n), 0) / 3600)::float8 AS handling_h,
              (sum(sat_sum)::numeric / nullif(sum(sat_n), 0))::float8 AS satisfaction
         FROM cells
        WHERE ${inScope(scope)}`,
      args,
    ),
    // "overdue" moves with the clock, so it is not rolled up: the open orders not yet due are a
    // few days' orders on the open orders' deadline index (032), the overdue ones the rest
    db.query<{ not_due: number }>(
      `SELECT count(*)::int AS not_due
         FROM work_orders WHERE state <> 'closed' AND deadline_at >= $6 AND created_at >= $1 AND created_at < $2 AND ${inScope(scope)}`,
      [...args, now.toISOString()],
    ),
  ])
  const open = c.rows[0].total - c.rows[0].closed
  return { ...c.rows[0], open, overdue_open: open - o.rows[0].not_due }
}

/**
 * Households of the scope visited at least once in [from, to) / households of the scope. A
 * household counts where it lives (its grid), wherever the visit was recorded. The roll-ups
 * keep whole Beijing months, which is what the KPIs ask for (this month so far, last month).
 */
export async function visitCoverage(db: Queryable, scope: KpiScope, from: Date, to: Date, live = false): Promise<number | null> {
  const inScope = `($1::int IS NULL OR g.village_id = $1) AND ($2::int IS NULL OR g.id = $2) AND ${IN_TOWN}`
  const r = live
    ? await db.query<{ households: number; visited: number }>(
      `SELECT count(*)::int AS households,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM household_visits x WHERE x.household_id = h.id AND x.visited_at >= $3 AND x.visited_at < $4))::int AS visited
         FROM households h JOIN grids g ON g.id = h.grid_id WHERE ${inScope}`,
      [scope.villageId, scope.gridId, from.toISOString(), to.toISOString(), scope.townId ?? null])
    : await db.query<{ households: number; visited: number }>(
      `SELECT coalesce(sum(r.households), 0)::int AS households, coalesce(sum(x.hh_visited), 0)::int AS visited
         FROM grids g LEFT JOIN grid_rollup r ON r.grid_id = g.id
         LEFT JOIN grid_rollup_visits x ON x.grid_id = g.id AND x.month = to_char($3::timestamptz AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')
        WHERE ${inScope} AND $4::timestamptz IS NOT NULL`,
      [scope.villageId, scope.gridId, from.toISOString(), to.toISOString(), scope.townId ?? null])
  return ratio(r.rows[0].visited, r.rows[0].households)
}

export function shanghaiMonthStart(now: Date): Date {
  const day = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', day: 'numeric' }).format(now))
  return shanghaiMidnight(now.getTime() - (day - 1) * 86_400_000)
}

/**
 * The county departments as the town evaluates them (部门报到), over orders sent to them in
 * [from, to): handled before their deadline, the reporters' rating, and orders sent back.
 */
export async function departmentRanks(db: Queryable, from: Date, to: Date, townId: number | null = null): Promise<DepartmentRank[]> {
  // a history row's order in the town, looked up per row: the window's department rows are few,
  // a town's orders tens of thousands
  const inTown = (h: string) => (townId === null ? '$3::int IS NULL'
    : `EXISTS (SELECT 1 FROM work_orders w JOIN villages v ON v.id = w.village_id WHERE w.id = ${h}.order_id AND v.town_id = $3)`)
  const r = await db.query<{ id: number; name: string; received: number; handled: number; on_time: number; satisfaction: number | null; sent_back: number }>(
    `WITH given AS (
       SELECT DISTINCT (h.detail ->> 'departmentId')::int AS department_id, h.order_id
         FROM work_order_history h
        WHERE h.detail ? 'departmentId' AND h.detail ->> 'departmentId' IS NOT NULL
          AND h.action IN ('dispatch', 'transfer', 'escalate') AND h.at >= $1 AND h.at < $2
          AND ${inTown('h')})
     SELECT d.id, d.name,
            count(o.id)::int AS received,
            count(o.id) FILTER (WHERE o.handled_at IS NOT NULL)::int AS handled,
            count(o.id) FILTER (WHERE o.handled_at IS NOT NULL AND NOT o.was_overdue)::int AS on_time,
            avg(o.satisfaction)::float8 AS satisfaction,
            (SELECT count(*)::int FROM work_order_history s
              WHERE s.action = 'sendBack' AND s.detail ? 'departmentId' AND s.detail ->> 'departmentId' IS NOT NULL
                AND (s.detail ->> 'departmentId')::int = d.id AND s.at >= $1 AND s.at < $2
                AND ${inTown('s')}) AS sent_back
       FROM departments d LEFT JOIN given g ON g.department_id = d.id LEFT JOIN work_orders o ON o.id = g.order_id AND o.outcome IS NULL
      GROUP BY d.id, d.name ORDER BY d.id`,
    [from.toISOString(), to.toISOString(), townId],
  )
  return ranked(r.rows.map((d) => {
    const onTimeRate = ratio(d.on_time, d.handled)
    const sentBackShare = d.received ? d.sent_back / d.received : 0
    return {
      departmentId: d.id, departmentName: d.name, received: d.received, handled: d.handled, onTimeRate, satisfaction: d.satisfaction,
      sentBack: d.sent_back,
      score: Math.max(0, score([[onTimeRate, 60], [d.satisfaction === null ? null : d.satisfaction / 5, 40]]) - Math.round(sentBackShare * 5000) / 10),
    }
  }), (d) => d.departmentName, (d) => d.departmentId)
}
