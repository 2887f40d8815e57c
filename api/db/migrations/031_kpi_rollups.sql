-- The loop's KPIs (办结率, 按时率, 平均办理时长, 满意度; /api/work-orders/kpis) from the order
-- roll-ups of 030, as the league tables already are: every wall asks for them, and recounting a
-- county's year of ~500,000 orders took ~250 ms a request. The cells gain what the average
-- handling time needs: how many orders of the cell were handled and their seconds from report
-- to handling, summed. An update that changes handled_at now counts its cell again.

ALTER TABLE order_rollup_days ADD COLUMN handled_n integer NOT NULL DEFAULT 0;
ALTER TABLE order_rollup_days ADD COLUMN handled_s double precision NOT NULL DEFAULT 0;

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
