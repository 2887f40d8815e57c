-- Work orders per grid, village and Beijing day of creation, for the league tables (擂台赛):
-- a county's year is ~500,000 orders, and the tables are asked by every wall. Kept current like
-- the grid roll-ups (029): a statement trigger counts again the (grid, village, day) cells the
-- statement touched. A window that does not start or end at midnight (the last 30 days up to
-- now) adds its two partial days from work_orders itself (api/work-orders/rankings.ts).

CREATE TABLE order_rollup_days (
  grid_id     integer NOT NULL REFERENCES grids(id),
  village_id  integer NOT NULL REFERENCES villages(id),
  day         date NOT NULL,
  total       integer NOT NULL,
  closed      integer NOT NULL,
  on_time     integer NOT NULL,
  sat_sum     integer NOT NULL,
  sat_n       integer NOT NULL,
  reports     integer NOT NULL,
  PRIMARY KEY (day, grid_id, village_id)
);

CREATE FUNCTION order_day(at timestamptz) RETURNS date LANGUAGE sql IMMUTABLE AS $$
  SELECT (at AT TIME ZONE 'Asia/Shanghai')::date
$$;

-- cells as (grid_id, village_id, day) rows in a jsonb array
CREATE FUNCTION rollup_order_cells(cells jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cells IS NULL OR jsonb_array_length(cells) = 0 OR coalesce(current_setting('shuzhi.rollups', true), '') = 'off' THEN RETURN; END IF;
  -- one transaction at a time per grid touched, in id order (see rollup_grids in 029)
  PERFORM pg_advisory_xact_lock(73261012, g) FROM (SELECT DISTINCT (c ->> 'g')::int AS g FROM jsonb_array_elements(cells) c) x ORDER BY g;
  DELETE FROM order_rollup_days o
   USING (SELECT DISTINCT (c ->> 'g')::int AS grid_id, (c ->> 'v')::int AS village_id, (c ->> 'd')::date AS day FROM jsonb_array_elements(cells) c) c
   WHERE o.day = c.day AND o.grid_id = c.grid_id AND o.village_id = c.village_id;
  INSERT INTO order_rollup_days (grid_id, village_id, day, total, closed, on_time, sat_sum, sat_n, reports)
  SELECT w.grid_id, w.village_id, c.day, count(*), count(*) FILTER (WHERE w.state = 'closed'),
         count(*) FILTER (WHERE w.state = 'closed' AND NOT w.was_overdue), coalesce(sum(w.satisfaction), 0), count(w.satisfaction),
         count(*) FILTER (WHERE w.source = 'gridWorker')
    FROM (SELECT DISTINCT (c ->> 'g')::int AS grid_id, (c ->> 'v')::int AS village_id, (c ->> 'd')::date AS day FROM jsonb_array_elements(cells) c) c
    JOIN work_orders w ON w.grid_id = c.grid_id AND w.village_id = c.village_id
     AND w.created_at >= (c.day::timestamp AT TIME ZONE 'Asia/Shanghai') AND w.created_at < ((c.day + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
   GROUP BY w.grid_id, w.village_id, c.day;
END
$$;

CREATE FUNCTION rollup_all_orders() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('shuzhi.rollups', true), '') = 'off' THEN RETURN; END IF;
  DELETE FROM order_rollup_days;
  INSERT INTO order_rollup_days (grid_id, village_id, day, total, closed, on_time, sat_sum, sat_n, reports)
  SELECT grid_id, village_id, order_day(created_at), count(*), count(*) FILTER (WHERE state = 'closed'),
         count(*) FILTER (WHERE state = 'closed' AND NOT was_overdue), coalesce(sum(satisfaction), 0), count(satisfaction),
         count(*) FILTER (WHERE source = 'gridWorker')
    FROM work_orders GROUP BY 1, 2, 3;
END
$$;

CREATE FUNCTION rollup_orders_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rollup_order_cells((SELECT jsonb_agg(DISTINCT jsonb_build_object('g', grid_id, 'v', village_id, 'd', order_day(created_at))) FROM new_rows));
  RETURN NULL;
END $$;
CREATE FUNCTION rollup_orders_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rollup_order_cells((SELECT jsonb_agg(DISTINCT jsonb_build_object('g', grid_id, 'v', village_id, 'd', order_day(created_at))) FROM old_rows));
  RETURN NULL;
END $$;
-- most updates move an order along its states without touching a counted column
CREATE FUNCTION rollup_orders_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rollup_order_cells((
    SELECT jsonb_agg(DISTINCT c) FROM old_rows o JOIN new_rows n ON n.id = o.id
     CROSS JOIN LATERAL (VALUES (jsonb_build_object('g', o.grid_id, 'v', o.village_id, 'd', order_day(o.created_at))),
                               (jsonb_build_object('g', n.grid_id, 'v', n.village_id, 'd', order_day(n.created_at)))) x(c)
     WHERE (o.grid_id, o.village_id, o.created_at, o.state = 'closed', o.was_overdue, o.satisfaction, o.source)
           IS DISTINCT FROM (n.grid_id, n.village_id, n.created_at, n.state = 'closed', n.was_overdue, n.satisfaction, n.source)));
  RETURN NULL;
END $$;

CREATE TRIGGER work_orders_rollup_ins AFTER INSERT ON work_orders REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_orders_new();
CREATE TRIGGER work_orders_rollup_upd AFTER UPDATE ON work_orders REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_orders_upd();
CREATE TRIGGER work_orders_rollup_del AFTER DELETE ON work_orders REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_orders_old();

SELECT rollup_all_orders();
