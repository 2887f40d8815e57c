-- The loop's KPIs (办结率, 按时率, 平均办理时长, 满意度; /api/work-orders/kpis) from the order
-- roll-ups of 030, as the league tables already are: every wall asks for them, and recounting a
-- county's year of ~500,000 orders took ~250 ms a request. The cells gain what the average
-- handling time needs: how many orders of the cell were handled and their seconds from report
-- to handling, summed. An update that changes handled_at now counts its cell again.
-- A county's year is ~400,000 (grid, day) cells, about one order each, so summing them is no
-- faster than counting the orders; the KPIs of a village, a town or the county read villages'
-- days instead (~37,000 a year), each the sum of its grids' cells, kept with them.

ALTER TABLE order_rollup_days ADD COLUMN handled_n integer NOT NULL DEFAULT 0;
ALTER TABLE order_rollup_days ADD COLUMN handled_s double precision NOT NULL DEFAULT 0;

CREATE TABLE order_rollup_village_days (
  village_id  integer NOT NULL REFERENCES villages(id),
  day         date NOT NULL,
  total       integer NOT NULL,
  closed      integer NOT NULL,
  on_time     integer NOT NULL,
  sat_sum     integer NOT NULL,
  sat_n       integer NOT NULL,
  handled_n   integer NOT NULL,
  handled_s   double precision NOT NULL,
  PRIMARY KEY (village_id, day)
);
CREATE INDEX order_rollup_village_days_day_idx ON order_rollup_village_days (day);

-- the village-days of `cells` summed again from their grids' cells. Two writers on different
-- grids of one village would both write its row: they take the village's lock too, after their
-- grids' (every writer takes grid locks first, then village locks, each in id order: no cycle).
CREATE FUNCTION rollup_village_days(cells jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(73261013, v) FROM (SELECT DISTINCT (c ->> 'v')::int AS v FROM jsonb_array_elements(cells) c) x ORDER BY v;
  DELETE FROM order_rollup_village_days o
   USING (SELECT DISTINCT (c ->> 'v')::int AS village_id, (c ->> 'd')::date AS day FROM jsonb_array_elements(cells) c) c
   WHERE o.village_id = c.village_id AND o.day = c.day;
  INSERT INTO order_rollup_village_days (village_id, day, total, closed, on_time, sat_sum, sat_n, handled_n, handled_s)
  SELECT o.village_id, o.day, sum(o.total), sum(o.closed), sum(o.on_time), sum(o.sat_sum), sum(o.sat_n), sum(o.handled_n), sum(o.handled_s)
    FROM order_rollup_days o
    JOIN (SELECT DISTINCT (c ->> 'v')::int AS village_id, (c ->> 'd')::date AS day FROM jsonb_array_elements(cells) c) c
      ON o.village_id = c.village_id AND o.day = c.day
   GROUP BY o.village_id, o.day;
END
$$;

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
  DELETE FROM order_rollup_village_days;
  INSERT INTO order_rollup_village_days (village_id, day, total, closed, on_time, sat_sum, sat_n, handled_n, handled_s)
  SELECT village_id, day, sum(total), sum(closed), sum(on_time), sum(sat_sum), sum(sat_n), sum(handled_n), sum(handled_s)
    FROM order_rollup_days GROUP BY 1, 2;
END
$$;

CREATE OR REPLACE FUNCTION rollup_orders_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rollup_order_cells((
    SELECT jsonb_agg(DISTINCT c) FROM old_rows o JOIN new_rows n ON n.id = o.id
     CROSS JOIN LATERAL (VALUES (jsonb_build_object('g', o.grid_id, 'v', o.village_id, 'd', order_day(o.created_at))),
                               (jsonb_build_object('g', n.grid_id, 'v', n.village_id, 'd', order_day(n.created_at)))) x(c)
     WHERE (o.grid_id, o.village_id, o.created_at, o.state = 'closed', o.was_overdue, o.satisfaction, o.source, o.handled_at)
           IS DISTINCT FROM (n.grid_id, n.village_id, n.created_at, n.state = 'closed', n.was_overdue, n.satisfaction, n.source, n.handled_at)));
  RETURN NULL;
END $$;

SELECT rollup_all_orders();
