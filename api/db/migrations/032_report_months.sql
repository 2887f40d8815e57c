-- The grid workers' league table (擂台赛) over the wall's year counted each grid's reports from
-- ~400,000 grid-days (about one order each): 110 ms of a 300 ms answer on a county. Reports per
-- grid and Beijing month (~15,000 a county's year) are kept with the grids' days, under the same
-- grid locks; a window reads its whole months here, the days of its partial months from the
-- grids' days and its two partial days from work_orders (api/work-orders/order-cells.ts).
-- The KPIs' open orders are the cells' orders less their closed ones; the overdue among them are
-- the open less those not yet due, a few days' orders found on the open orders' deadline index,
-- which now carries creation time and village so the count never reads the table (a county's
-- year had ~155,000 open orders in the bench, counted one by one: ~100 ms).

CREATE TABLE order_rollup_grid_months (
  month    date NOT NULL,
  grid_id  integer NOT NULL REFERENCES grids(id),
  reports  integer NOT NULL,
  PRIMARY KEY (month, grid_id)
);

-- the months of `cells` (grid, village, day) summed again from their grids' days
CREATE FUNCTION rollup_grid_months(cells jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM order_rollup_grid_months o
   USING (SELECT DISTINCT (c ->> 'g')::int AS grid_id, date_trunc('month', (c ->> 'd')::date)::date AS month FROM jsonb_array_elements(cells) c) c
   WHERE o.grid_id = c.grid_id AND o.month = c.month;
  INSERT INTO order_rollup_grid_months (month, grid_id, reports)
  SELECT c.month, c.grid_id, sum(o.reports)
    FROM (SELECT DISTINCT (c ->> 'g')::int AS grid_id, date_trunc('month', (c ->> 'd')::date)::date AS month FROM jsonb_array_elements(cells) c) c
    JOIN order_rollup_days o ON o.grid_id = c.grid_id AND o.day >= c.month AND o.day < (c.month + interval '1 month')::date
   GROUP BY c.month, c.grid_id;
END
$$;

-- as in 031, and the grids' months after their days (the grid locks are held)
CREATE OR REPLACE FUNCTION rollup_order_cells(cells jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cells IS NULL OR jsonb_array_length(cells) = 0 OR coalesce(current_setting('shuzhi.rollups', true), '') = 'off' THEN RETURN; END IF;
  -- one transaction at a time per grid touched, in id order (see rollup_grids in 029)
  PERFORM pg_advisory_xact_lock(73261012, g) FROM (SELECT DISTINCT (c ->> 'g')::int AS g FROM jsonb_array_elements(cells) c) x ORDER BY g;
  DELETE FROM order_rollup_days o
   USING (SELECT DISTINCT (c ->> 'g')::int AS grid_id, (c ->> 'v')::int AS village_id, (c ->> 'd')::date AS day FROM jsonb_array_elements(cells) c) c
   WHERE o.day = c.day AND o.grid_id = c.grid_id AND o.village_id = c.village_id;
  INSERT INTO order_rollup_days (grid_id, village_id, day, total, closed, on_time, sat_sum, sat_n, reports, handled_n, handled_s)
  SELECT w.grid_id, w.village_id, c.day, count(*), count(*) FILTER (WHERE w.state = 'closed'),
         count(*) FILTER (WHERE w.state = 'closed' AND NOT w.was_overdue), coalesce(sum(w.satisfaction), 0), count(w.satisfaction),
         count(*) FILTER (WHERE w.source = 'gridWorker'),
         count(w.handled_at), coalesce(sum(extract(epoch FROM w.handled_at - w.created_at)), 0)
    FROM (SELECT DISTINCT (c ->> 'g')::int AS grid_id, (c ->> 'v')::int AS village_id, (c ->> 'd')::date AS day FROM jsonb_array_elements(cells) c) c
    JOIN work_orders w ON w.grid_id = c.grid_id AND w.village_id = c.village_id
     AND w.created_at >= (c.day::timestamp AT TIME ZONE 'Asia/Shanghai') AND w.created_at < ((c.day + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
   GROUP BY w.grid_id, w.village_id, c.day;
  PERFORM rollup_grid_months(cells);
  PERFORM rollup_village_days(cells);
END
$$;

CREATE OR REPLACE FUNCTION rollup_all_orders() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('shuzhi.rollups', true), '') = 'off' THEN RETURN; END IF;
  DELETE FROM order_rollup_days;
  INSERT INTO order_rollup_days (grid_id, village_id, day, total, closed, on_time, sat_sum, sat_n, reports, handled_n, handled_s)
  SELECT grid_id, village_id, order_day(created_at), count(*), count(*) FILTER (WHERE state = 'closed'),
         count(*) FILTER (WHERE state = 'closed' AND NOT was_overdue), coalesce(sum(satisfaction), 0), count(satisfaction),
         count(*) FILTER (WHERE source = 'gridWorker'),
         count(handled_at), coalesce(sum(extract(epoch FROM handled_at - created_at)), 0)
    FROM work_orders GROUP BY 1, 2, 3;
  DELETE FROM order_rollup_grid_months;
  INSERT INTO order_rollup_grid_months (month, grid_id, reports)
  SELECT date_trunc('month', day)::date, grid_id, sum(reports) FROM order_rollup_days GROUP BY 1, 2;
  DELETE FROM order_rollup_village_days;
  INSERT INTO order_rollup_village_days (village_id, day, total, closed, on_time, sat_sum, sat_n, handled_n, handled_s)
  SELECT village_id, day, sum(total), sum(closed), sum(on_time), sum(sat_sum), sum(sat_n), sum(handled_n), sum(handled_s)
    FROM order_rollup_days GROUP BY 1, 2;
END
$$;

DROP INDEX work_orders_open_deadline_idx;
CREATE INDEX work_orders_open_deadline_idx ON work_orders (deadline_at) INCLUDE (created_at, village_id, grid_id) WHERE state <> 'closed';

SELECT rollup_all_orders();
