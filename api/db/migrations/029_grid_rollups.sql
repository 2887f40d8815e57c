-- Roll-ups per grid for the wall's figures (issue 18): a county answer sums ~1,250 grid rows
-- instead of reading a million residents. Kept current in the transaction of the write that
-- changes them: statement triggers collect the grids a statement touched (from its transition
-- tables) and count those grids again from the base tables. A grid holds ~50 households, so
-- counting one again costs about a millisecond, and a statement touching many rows (an import)
-- counts each of its grids once. Exact by construction, which deltas would only be with care
-- for every column that moves a row between buckets.
--
-- Age bands move with the calendar, not with writes: a row counts them as of `as_of` (the
-- Beijing date), and a reader finding rows of an earlier day counts those grids again first
-- (api/stats/rollups.ts). The fixture loader turns the triggers off (shuzhi.rollups = off) and
-- counts every grid once at the end.

CREATE TABLE grid_rollup (
  grid_id     integer PRIMARY KEY REFERENCES grids(id),
  as_of       date NOT NULL,
  households  integer NOT NULL,
  residents   integer NOT NULL,
  male        integer NOT NULL,
  female      integer NOT NULL,
  party       integer NOT NULL,
  age_0_17    integer NOT NULL,
  age_18_59   integer NOT NULL,
  age_60_79   integer NOT NULL,
  age_80      integer NOT NULL
);
CREATE INDEX grid_rollup_as_of_idx ON grid_rollup (as_of);

CREATE TABLE grid_rollup_tags (
  grid_id  integer NOT NULL REFERENCES grids(id),
  kind     text NOT NULL,
  tag      text NOT NULL,
  n        integer NOT NULL,
  PRIMARY KEY (grid_id, kind, tag)
);

CREATE TABLE grid_rollup_cameras (
  grid_id  integer NOT NULL REFERENCES grids(id),
  kind     text NOT NULL,
  total    integer NOT NULL,
  online   integer NOT NULL,
  PRIMARY KEY (grid_id, kind)
);

-- disputes by type, status and month reported; resolved ones again by month resolved
CREATE TABLE grid_rollup_disputes (
  grid_id  integer NOT NULL REFERENCES grids(id),
  type     text NOT NULL,
  status   text NOT NULL,
  month    text NOT NULL,
  n        integer NOT NULL,
  PRIMARY KEY (grid_id, type, status, month)
);
CREATE TABLE grid_rollup_resolved (
  grid_id  integer NOT NULL REFERENCES grids(id),
  month    text NOT NULL,
  n        integer NOT NULL,
  PRIMARY KEY (grid_id, month)
);

-- the ledger people (台账) of a grid with the date their next follow-up is due ('-infinity':
-- never followed up); overdue and due-this-month are counts over `due`, so they move with the
-- clock without a write
CREATE TABLE grid_rollup_ledger (
  grid_id      integer NOT NULL REFERENCES grids(id),
  resident_id  integer NOT NULL,
  kind         text NOT NULL,
  tag          text NOT NULL,
  due          timestamptz NOT NULL,
  PRIMARY KEY (grid_id, resident_id, kind, tag)
);
CREATE INDEX grid_rollup_ledger_due_idx ON grid_rollup_ledger (grid_id, due);

-- household visits per Beijing month: `visits` and `visited` (households) by the grid the visit
-- was made in (the grid workers' league table), `hh_visited` by the household's grid now (the
-- villages' visit coverage)
CREATE TABLE grid_rollup_visits (
  grid_id     integer NOT NULL REFERENCES grids(id),
  month       text NOT NULL,
  visits      integer NOT NULL,
  visited     integer NOT NULL,
  hh_visited  integer NOT NULL,
  PRIMARY KEY (grid_id, month)
);

-- the ids, deduplicated and sorted, without NULLs
CREATE FUNCTION rollup_ids(ids integer[]) RETURNS integer[] LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(array_agg(DISTINCT x ORDER BY x), '{}') FROM unnest(ids) x WHERE x IS NOT NULL
$$;

CREATE FUNCTION rollup_grids(ids integer[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  gs integer[] := rollup_ids(ids);
  today date := (now() AT TIME ZONE 'Asia/Shanghai')::date;
BEGIN
  IF cardinality(gs) = 0 OR coalesce(current_setting('shuzhi.rollups', true), '') = 'off' THEN RETURN; END IF;
  -- Two transactions counting one grid: the second waits, and (READ COMMITTED, a statement's
  -- snapshot per statement in a function) counts again with the first one's rows. In id order,
  -- so two statements touching the same grids cannot deadlock.
  PERFORM pg_advisory_xact_lock(73261010, g) FROM unnest(gs) g ORDER BY g;

  DELETE FROM grid_rollup WHERE grid_id = ANY (gs);
  INSERT INTO grid_rollup (grid_id, as_of, households, residents, male, female, party, age_0_17, age_18_59, age_60_79, age_80)
  SELECT g.id, today,
         (SELECT count(*) FROM households h WHERE h.grid_id = g.id),
         count(r.id), count(r.id) FILTER (WHERE r.gender = '男'), count(r.id) FILTER (WHERE r.gender = '女'),
         count(r.id) FILTER (WHERE r.party_member),
         count(r.id) FILTER (WHERE r.age < 18), count(r.id) FILTER (WHERE r.age >= 18 AND r.age < 60),
         count(r.id) FILTER (WHERE r.age >= 60 AND r.age < 80), count(r.id) FILTER (WHERE r.age >= 80)
    FROM grids g
    LEFT JOIN (SELECT h.grid_id, r.id, r.gender, r.party_member, date_part('year', age(today, r.birth_date)) AS age
                 FROM residents r JOIN households h ON h.id = r.household_id
                WHERE h.grid_id = ANY (gs) AND r.deregistered IS NULL) r ON r.grid_id = g.id
   WHERE g.id = ANY (gs)
   GROUP BY g.id;

  DELETE FROM grid_rollup_tags WHERE grid_id = ANY (gs);
  INSERT INTO grid_rollup_tags (grid_id, kind, tag, n)
  SELECT h.grid_id, t.kind, t.tag, count(*)
    FROM resident_tags t JOIN residents r ON r.id = t.resident_id AND r.deregistered IS NULL
    JOIN households h ON h.id = r.household_id
   WHERE h.grid_id = ANY (gs)
   GROUP BY h.grid_id, t.kind, t.tag;

  DELETE FROM grid_rollup_cameras WHERE grid_id = ANY (gs);
  INSERT INTO grid_rollup_cameras (grid_id, kind, total, online)
  SELECT grid_id, kind, count(*), count(*) FILTER (WHERE online) FROM cameras WHERE grid_id = ANY (gs) GROUP BY grid_id, kind;

  DELETE FROM grid_rollup_disputes WHERE grid_id = ANY (gs);
  INSERT INTO grid_rollup_disputes (grid_id, type, status, month, n)
  SELECT grid_id, type, status, to_char(reported_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'), count(*)
    FROM disputes WHERE grid_id = ANY (gs) GROUP BY 1, 2, 3, 4;

  -- the last follow-up as api/ledgers/repository.ts reads it: the latest visit to the household
  -- about her, or about the household as a whole
  DELETE FROM grid_rollup_ledger WHERE grid_id = ANY (gs);
  INSERT INTO grid_rollup_ledger (grid_id, resident_id, kind, tag, due)
  SELECT h.grid_id, r.id, t.kind, t.tag,
         coalesce((SELECT max(v.visited_at) FROM household_visits v
                    WHERE v.household_id = r.household_id AND (v.resident_ids IS NULL OR v.resident_ids = '{}' OR v.resident_ids @> ARRAY[r.id]))
                  + make_interval(days => p.period_days), '-infinity'::timestamptz)
    FROM resident_tags t
    JOIN ledger_periods p ON p.kind = t.kind AND p.tag = t.tag
    JOIN residents r ON r.id = t.resident_id AND r.deregistered IS NULL
    JOIN households h ON h.id = r.household_id
   WHERE h.grid_id = ANY (gs);

  DELETE FROM grid_rollup_visits WHERE grid_id = ANY (gs);
  INSERT INTO grid_rollup_visits (grid_id, month, visits, visited, hh_visited)
  SELECT grid_id, month, sum(visits), sum(visited), sum(hh_visited) FROM (
    SELECT grid_id, to_char(visited_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month, count(*) AS visits, count(DISTINCT household_id) AS visited, 0 AS hh_visited
      FROM household_visits WHERE grid_id = ANY (gs) GROUP BY 1, 2
    UNION ALL
    SELECT h.grid_id, to_char(v.visited_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'), 0, 0, count(DISTINCT v.household_id)
      FROM household_visits v JOIN households h ON h.id = v.household_id WHERE h.grid_id = ANY (gs) GROUP BY 1, 2) x
   GROUP BY grid_id, month;

  DELETE FROM grid_rollup_resolved WHERE grid_id = ANY (gs);
  INSERT INTO grid_rollup_resolved (grid_id, month, n)
  SELECT grid_id, to_char(resolved_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'), count(*)
    FROM disputes WHERE grid_id = ANY (gs) AND status = 'resolved' GROUP BY 1, 2;
END
$$;

CREATE FUNCTION rollup_all_grids() RETURNS void LANGUAGE sql AS $$
  SELECT rollup_grids(array_agg(id)) FROM grids
$$;

-- One trigger function per table and event: a transition table exists only for the events that
-- have it (PostgreSQL allows them on single-event triggers only).
CREATE FUNCTION rollup_by_grid_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM rollup_grids(ARRAY(SELECT grid_id FROM new_rows)); RETURN NULL; END $$;
CREATE FUNCTION rollup_by_grid_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM rollup_grids(ARRAY(SELECT grid_id FROM old_rows)); RETURN NULL; END $$;
-- An update counts again only the grids of rows whose counted columns changed: a department's
-- import rewrites residents' data items in bulk and moves no figure here.
CREATE FUNCTION rollup_households_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rollup_grids(ARRAY(SELECT unnest(ARRAY[o.grid_id, n.grid_id]) FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.grid_id <> n.grid_id));
  RETURN NULL;
END $$;
CREATE FUNCTION rollup_cameras_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rollup_grids(ARRAY(SELECT unnest(ARRAY[o.grid_id, n.grid_id]) FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE (o.grid_id, o.kind, o.online) IS DISTINCT FROM (n.grid_id, n.kind, n.online)));
  RETURN NULL;
END $$;
CREATE FUNCTION rollup_disputes_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rollup_grids(ARRAY(SELECT unnest(ARRAY[o.grid_id, n.grid_id]) FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE (o.grid_id, o.type, o.status, o.reported_at, o.resolved_at) IS DISTINCT FROM (n.grid_id, n.type, n.status, n.reported_at, n.resolved_at)));
  RETURN NULL;
END $$;
CREATE FUNCTION rollup_residents_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rollup_grids(ARRAY(
    SELECT h.grid_id FROM old_rows o JOIN new_rows n ON n.id = o.id
      JOIN households h ON h.id IN (o.household_id, n.household_id)
     WHERE (o.household_id, o.gender, o.birth_date, o.party_member, o.deregistered)
           IS DISTINCT FROM (n.household_id, n.gender, n.birth_date, n.party_member, n.deregistered)));
  RETURN NULL;
END $$;

CREATE FUNCTION rollup_by_household_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM rollup_grids(ARRAY(SELECT h.grid_id FROM new_rows n JOIN households h ON h.id = n.household_id)); RETURN NULL; END $$;
CREATE FUNCTION rollup_by_household_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM rollup_grids(ARRAY(SELECT h.grid_id FROM old_rows o JOIN households h ON h.id = o.household_id)); RETURN NULL; END $$;
CREATE FUNCTION rollup_by_resident_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM rollup_grids(ARRAY(SELECT h.grid_id FROM new_rows n JOIN residents r ON r.id = n.resident_id JOIN households h ON h.id = r.household_id)); RETURN NULL; END $$;
CREATE FUNCTION rollup_by_resident_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM rollup_grids(ARRAY(SELECT h.grid_id FROM old_rows o JOIN residents r ON r.id = o.resident_id JOIN households h ON h.id = r.household_id)); RETURN NULL; END $$;
CREATE FUNCTION rollup_by_resident_both() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM rollup_grids(ARRAY(SELECT h.grid_id FROM (SELECT resident_id FROM old_rows UNION SELECT resident_id FROM new_rows) x JOIN residents r ON r.id = x.resident_id JOIN households h ON h.id = r.household_id)); RETURN NULL; END $$;

-- a visit moves the ledger and the visit counts of its household's grid (the household's grid
-- now, which the visit's own grid_id need not be after a boundary was redrawn) and the visit
-- counts of the grid it was made in; a changed follow-up period moves every grid
CREATE FUNCTION rollup_visits_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rollup_grids(ARRAY(SELECT n.grid_id FROM new_rows n UNION SELECT h.grid_id FROM new_rows n JOIN households h ON h.id = n.household_id));
  RETURN NULL;
END $$;
CREATE FUNCTION rollup_visits_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rollup_grids(ARRAY(SELECT o.grid_id FROM old_rows o UNION SELECT h.grid_id FROM old_rows o JOIN households h ON h.id = o.household_id));
  RETURN NULL;
END $$;
CREATE FUNCTION rollup_visits_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rollup_grids(ARRAY(
    SELECT unnest(ARRAY[o.grid_id, n.grid_id, (SELECT grid_id FROM households WHERE id = o.household_id), (SELECT grid_id FROM households WHERE id = n.household_id)])
      FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE (o.grid_id, o.household_id, o.visited_at, o.resident_ids) IS DISTINCT FROM (n.grid_id, n.household_id, n.visited_at, n.resident_ids)));
  RETURN NULL;
END $$;
CREATE FUNCTION rollup_periods() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM rollup_all_grids(); RETURN NULL; END $$;
CREATE TRIGGER household_visits_rollup_ins AFTER INSERT ON household_visits REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_visits_new();
CREATE TRIGGER household_visits_rollup_upd AFTER UPDATE ON household_visits REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_visits_upd();
CREATE TRIGGER household_visits_rollup_del AFTER DELETE ON household_visits REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_visits_old();
CREATE TRIGGER ledger_periods_rollup AFTER INSERT OR UPDATE OR DELETE ON ledger_periods FOR EACH STATEMENT EXECUTE FUNCTION rollup_periods();

CREATE TRIGGER households_rollup_ins AFTER INSERT ON households REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_by_grid_new();
CREATE TRIGGER households_rollup_upd AFTER UPDATE ON households REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_households_upd();
CREATE TRIGGER households_rollup_del AFTER DELETE ON households REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_by_grid_old();
CREATE TRIGGER cameras_rollup_ins AFTER INSERT ON cameras REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_by_grid_new();
CREATE TRIGGER cameras_rollup_upd AFTER UPDATE ON cameras REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_cameras_upd();
CREATE TRIGGER cameras_rollup_del AFTER DELETE ON cameras REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_by_grid_old();
CREATE TRIGGER disputes_rollup_ins AFTER INSERT ON disputes REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_by_grid_new();
CREATE TRIGGER disputes_rollup_upd AFTER UPDATE ON disputes REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_disputes_upd();
CREATE TRIGGER disputes_rollup_del AFTER DELETE ON disputes REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_by_grid_old();
CREATE TRIGGER residents_rollup_ins AFTER INSERT ON residents REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_by_household_new();
CREATE TRIGGER residents_rollup_upd AFTER UPDATE ON residents REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_residents_upd();
CREATE TRIGGER residents_rollup_del AFTER DELETE ON residents REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_by_household_old();
CREATE TRIGGER resident_tags_rollup_ins AFTER INSERT ON resident_tags REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_by_resident_new();
CREATE TRIGGER resident_tags_rollup_upd AFTER UPDATE ON resident_tags REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_by_resident_both();
CREATE TRIGGER resident_tags_rollup_del AFTER DELETE ON resident_tags REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_by_resident_old();

-- a database loaded before this migration: count every grid once now
SELECT rollup_all_grids();
