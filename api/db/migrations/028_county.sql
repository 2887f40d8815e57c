-- 县 → 镇 → 村 → 网格: the county above the towns. One system serves one county (or, as in
-- the demo, a single town of it), so the county is one row rather than a table of counties.
CREATE TABLE county (
  id    integer PRIMARY KEY CHECK (id = 1),
  code  text NOT NULL,
  name  text NOT NULL
);

-- a town's villages, asked for by every town-scoped query
CREATE INDEX villages_town_idx ON villages (town_id);

-- The command-center roles work at one of two levels: town_id NULL is the county (县级指挥
-- 中心), a town's id is that town's command center. The other roles carry their own scope
-- (village, grid, department) or none, and no town.
ALTER TABLE users ADD COLUMN town_id integer REFERENCES towns(id);
ALTER TABLE users ADD CONSTRAINT users_town_scope CHECK (town_id IS NULL OR role IN ('leader', 'dispatcher', 'display'));
