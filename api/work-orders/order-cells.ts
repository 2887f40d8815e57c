// Orders of a window [$1, $2) as cells for the league tables and the KPIs (migrations 030-032):
// the window's whole Beijing days from a roll-up table, and its two partial days (from `from` to
// the next midnight, from the last midnight to `to`) from work_orders: a day of a county's orders
// is ~1,400 rows on the created_at index.

/** the window's bounds and its partial days' orders, shared by both kinds of cells */
const WINDOW = `
  bounds AS (
    SELECT order_day($1::timestamptz) + 1 AS d0, order_day($2::timestamptz) AS d1,
           ((order_day($1::timestamptz) + 1)::timestamp AT TIME ZONE 'Asia/Shanghai') AS t0,
           (order_day($2::timestamptz)::timestamp AT TIME ZONE 'Asia/Shanghai') AS t1),
  -- the two partial days, each a range on the created_at index (one OR of the two scanned every order)
  partial AS (
    SELECT w.* FROM work_orders w, bounds b WHERE w.created_at >= $1::timestamptz AND w.created_at < least(b.t0, $2::timestamptz) AND w.outcome IS NULL
    UNION ALL
    SELECT w.* FROM work_orders w, bounds b WHERE w.created_at >= greatest(b.t1, b.t0) AND w.created_at < $2::timestamptz AND w.outcome IS NULL)`

/** a partial day's order as a cell's counts, in the cells' column order after its place columns */
const ORDER_COUNTS = `1, (w.state = 'closed')::int, (w.state = 'closed' AND NOT w.was_overdue)::int,
           coalesce(w.satisfaction, 0), (w.satisfaction IS NOT NULL)::int`
const ORDER_HANDLED = `(w.handled_at IS NOT NULL)::int, coalesce(extract(epoch FROM w.handled_at - w.created_at), 0)::float8`

/**
 * Grid workers' reports per grid (the league table): the window's whole Beijing months from
 * order_rollup_grid_months (migration 032: ~15,000 a county's year, where grids' days are
 * ~400,000), the days of its partial months from order_rollup_days, each a range on its
 * primary key (day first), and its two partial days from work_orders.
 */
export const REPORT_CELLS = `${WINDOW},
  months AS (SELECT (date_trunc('month', b.d0 - 1) + interval '1 month')::date AS m0, date_trunc('month', b.d1)::date AS m1 FROM bounds b),
  cells AS (
    SELECT o.grid_id, o.reports FROM order_rollup_grid_months o, months m WHERE o.month >= m.m0 AND o.month < m.m1
    UNION ALL
    SELECT o.grid_id, o.reports FROM order_rollup_days o, bounds b, months m WHERE o.day >= b.d0 AND o.day < least(m.m0, b.d1)
    UNION ALL
    SELECT o.grid_id, o.reports FROM order_rollup_days o, bounds b, months m WHERE o.day >= greatest(m.m1, m.m0, b.d0) AND o.day < b.d1
    UNION ALL
    SELECT w.grid_id, (w.source = 'gridWorker')::int FROM partial w)`

/**
 * Villages' days (migration 031: ~37,000 a county's year, where grids' days are ~400,000, about
 * one order each): the KPIs and the villages' league table of a village, a town or the county.
 */
export const VILLAGE_CELLS = `${WINDOW},
  cells AS (
    SELECT o.village_id, o.total, o.closed, o.on_time, o.sat_sum, o.sat_n, o.handled_n, o.handled_s
      FROM order_rollup_village_days o, bounds b WHERE o.day >= b.d0 AND o.day < b.d1
    UNION ALL
    SELECT w.village_id, ${ORDER_COUNTS}, ${ORDER_HANDLED}
      FROM partial w)`
