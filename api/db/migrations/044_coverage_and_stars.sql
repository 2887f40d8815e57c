-- 疫网即办 from the people, and the secretaries' star reviews kept by the people who review them
-- (issue 28: 3, 4). Until now both were tables only the fixtures filled.

-- ── 疫网即办: coverage rates from residents' own data items ──────────────────────────────────
-- 医保参保率, 养老参保率 and 疫苗接种率 are shares of the registered residents (人口双实: the died
-- and the moved away are out) whose items say so: `medicalInsurance` (医保局), `pensionInsurance`
-- (人社局), `vaccinated` (卫健委). A department's import or a grid worker's edit of those items
-- moves them. Who is eligible:
--   医保: every registered resident (城乡居民医保 covers newborns too);
--   养老: registered residents aged 16 and over on the Beijing date (城乡居民基本养老保险 is
--         open from 16; students, whom it leaves out, are not told apart: 在校 lags a year in
--         the register), and only they count as insured;
--   疫苗: every registered resident (国家免疫规划 starts at birth).
-- Counted per grid like the other grid roll-ups (029), in this table of its own with its own
-- function and triggers: an update that moves only these items counts only this (a 医保局 file
-- of 38,000 people recounts coverage, not every grid's every figure), and the 029 function is
-- left as it is. The pension's age line moves with the calendar: a row says the Beijing date it
-- was counted for and a reader counts rows of earlier days again (api/stats/coverage.ts).
CREATE TABLE grid_rollup_coverage (
  grid_id           integer PRIMARY KEY REFERENCES grids(id),
  as_of             date NOT NULL,
  residents         integer NOT NULL,
  medical           integer NOT NULL,
  pension_eligible  integer NOT NULL,
  pension           integer NOT NULL,
  vaccinated        integer NOT NULL
);
CREATE INDEX grid_rollup_coverage_as_of_idx ON grid_rollup_coverage (as_of);

CREATE FUNCTION rollup_coverage(ids integer[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  gs integer[] := rollup_ids(ids);
  today date := (now() AT TIME ZONE 'Asia/Shanghai')::date;
BEGIN
  IF cardinality(gs) = 0 OR coalesce(current_setting('shuzhi.rollups', true), '') = 'off' THEN RETURN; END IF;
  -- the grid's roll-up lock of 029: one writer at a time per grid, in id order
  PERFORM pg_advisory_xact_lock(73261010, g) FROM unnest(gs) g ORDER BY g;
  DELETE FROM grid_rollup_coverage WHERE grid_id = ANY (gs);
  INSERT INTO grid_rollup_coverage (grid_id, as_of, residents, medical, pension_eligible, pension, vaccinated)
  SELECT g.id, today, count(r.id),
         count(r.id) FILTER (WHERE r.items -> 'medicalInsurance' = 'true'),
         count(r.id) FILTER (WHERE r.age >= 16),
         count(r.id) FILTER (WHERE r.age >= 16 AND r.items -> 'pensionInsurance' = 'true'),
         count(r.id) FILTER (WHERE r.items -> 'vaccinated' = 'true')
    FROM grids g
    LEFT JOIN (SELECT h.grid_id, r.id, r.items, date_part('year', age(today, r.birth_date)) AS age
                 FROM residents r JOIN households h ON h.id = r.household_id
                WHERE h.grid_id = ANY (gs) AND r.deregistered IS NULL) r ON r.grid_id = g.id
   WHERE g.id = ANY (gs)
   GROUP BY g.id;
END
$$;

CREATE FUNCTION coverage_by_household_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM rollup_coverage(ARRAY(SELECT h.grid_id FROM new_rows n JOIN households h ON h.id = n.household_id)); RETURN NULL; END $$;
CREATE FUNCTION coverage_by_household_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM rollup_coverage(ARRAY(SELECT h.grid_id FROM old_rows o JOIN households h ON h.id = o.household_id)); RETURN NULL; END $$;
-- The three items are counted columns here, and only they: any other item (a department's
-- list of 学历, 低保…) counts nothing again.
CREATE FUNCTION coverage_residents_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rollup_coverage(ARRAY(
    SELECT h.grid_id FROM old_rows o JOIN new_rows n ON n.id = o.id
      JOIN households h ON h.id IN (o.household_id, n.household_id)
     WHERE (o.household_id, o.birth_date, o.deregistered, o.items -> 'medicalInsurance', o.items -> 'pensionInsurance', o.items -> 'vaccinated')
           IS DISTINCT FROM (n.household_id, n.birth_date, n.deregistered, n.items -> 'medicalInsurance', n.items -> 'pensionInsurance', n.items -> 'vaccinated')));
  RETURN NULL;
END $$;
-- a household placed, moved to another grid or left without one takes its people along
CREATE FUNCTION coverage_households_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rollup_coverage(ARRAY(SELECT unnest(ARRAY[o.grid_id, n.grid_id]) FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.grid_id IS DISTINCT FROM n.grid_id));
  RETURN NULL;
END $$;
CREATE TRIGGER residents_coverage_ins AFTER INSERT ON residents REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_by_household_new();
CREATE TRIGGER residents_coverage_upd AFTER UPDATE ON residents REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_residents_upd();
CREATE TRIGGER residents_coverage_del AFTER DELETE ON residents REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_by_household_old();
CREATE TRIGGER households_coverage_upd AFTER UPDATE ON households REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_households_upd();

-- the village-level table the fixtures filled, and its announcement (008), go
DROP TABLE health_coverage;

-- a database loaded before this migration: count every grid once now
SELECT rollup_coverage(array_agg(id)) FROM grids;

-- ── 星级评定: the secretary's review, kept by the town ───────────────────────────────────────
-- A review now names every honour of the year ([{level: national|provincial, name}], each
-- counting) and the secretary's whole years in office by the year's end (stars count from the
-- first full year: geo/stars.ts). The stars themselves stay derived, never stored.
ALTER TABLE star_reviews ADD COLUMN honours jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(honours) = 'array');
UPDATE star_reviews SET honours = jsonb_build_array(jsonb_build_object('level', honour, 'name', CASE honour WHEN 'national' THEN '国家级荣誉' ELSE '省级荣誉' END))
 WHERE honour IS NOT NULL;
ALTER TABLE star_reviews DROP COLUMN honour;
-- reviews made before tenure was recorded are taken as a full year's or more, so no village's
-- stars change with this migration; every review written from now on states it
ALTER TABLE star_reviews ADD COLUMN tenure_years integer NOT NULL DEFAULT 1 CHECK (tenure_years BETWEEN 0 AND 60);
ALTER TABLE star_reviews ALTER COLUMN tenure_years DROP DEFAULT;
-- who entered it last, and when (NULL: loaded with the fixtures)
ALTER TABLE star_reviews ADD COLUMN reviewed_by text;
ALTER TABLE star_reviews ADD COLUMN reviewed_at timestamptz;
