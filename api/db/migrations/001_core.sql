-- Core administrative geography: 镇 → 村 → 网格 → 户 → 居民.
-- All geometry is WGS-84 (EPSG:4326); GCJ-02 is converted at the edges, never stored.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE towns (
  id          integer PRIMARY KEY,
  code        text NOT NULL UNIQUE,
  name        text NOT NULL,
  geom        geometry(Polygon, 4326) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE INDEX towns_geom_gix ON towns USING gist (geom);

CREATE TABLE villages (
  id              integer PRIMARY KEY,
  town_id         integer NOT NULL REFERENCES towns(id),
  code            text NOT NULL UNIQUE,
  name            text NOT NULL,
  secretary_name  text NOT NULL,
  secretary_phone text NOT NULL,
  label_point     geometry(Point, 4326) NOT NULL,
  geom            geometry(Polygon, 4326) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE INDEX villages_geom_gix ON villages USING gist (geom);

CREATE TABLE grids (
  id                 integer PRIMARY KEY,
  village_id         integer NOT NULL REFERENCES villages(id),
  code               text NOT NULL UNIQUE,
  name               text NOT NULL,
  kind               text NOT NULL CHECK (kind IN ('base', 'exclusive')),
  grid_worker_name   text NOT NULL,
  grid_worker_phone  text NOT NULL,
  label_point        geometry(Point, 4326) NOT NULL,
  geom               geometry(Polygon, 4326) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE INDEX grids_village_idx ON grids (village_id);
CREATE INDEX grids_geom_gix ON grids USING gist (geom);

CREATE TABLE households (
  id            integer PRIMARY KEY,
  grid_id       integer NOT NULL REFERENCES grids(id),
  address       text NOT NULL,
  house_number  text NOT NULL,
  geom          geometry(Point, 4326) NOT NULL
);
CREATE INDEX households_grid_idx ON households (grid_id);
CREATE INDEX households_geom_gix ON households USING gist (geom);

-- The 12 departments that feed the population database and the 30 data items it holds per resident.
CREATE TABLE departments (
  id    integer PRIMARY KEY,
  name  text NOT NULL UNIQUE
);

CREATE TABLE data_items (
  key            text PRIMARY KEY,
  label          text NOT NULL,
  department_id  integer NOT NULL REFERENCES departments(id),
  sensitive      boolean NOT NULL DEFAULT false,
  position       integer NOT NULL UNIQUE
);

CREATE TABLE residents (
  id             integer PRIMARY KEY,
  household_id   integer NOT NULL REFERENCES households(id),
  name           text NOT NULL,
  gender         text NOT NULL CHECK (gender IN ('男', '女')),
  birth_date     date NOT NULL,
  id_number      text NOT NULL UNIQUE,
  phone          text,
  relation       text NOT NULL,
  party_member   boolean NOT NULL DEFAULT false,
  -- the remaining data items, keyed by data_items.key
  items          jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX residents_household_idx ON residents (household_id);

-- 重点人群 (key) tags are sensitive and live apart from the resident row so that
-- they can be withheld by role; 特殊人群 (care) tags sit beside them.
CREATE TABLE resident_tags (
  resident_id  integer NOT NULL REFERENCES residents(id),
  kind         text NOT NULL CHECK (kind IN ('key', 'care')),
  tag          text NOT NULL,
  PRIMARY KEY (resident_id, kind, tag)
);
CREATE INDEX resident_tags_kind_idx ON resident_tags (kind, tag);
