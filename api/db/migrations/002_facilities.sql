-- Roads, sanitation facilities, vehicles and cameras drawn on the map.
CREATE TABLE roads (
  id    integer PRIMARY KEY,
  name  text NOT NULL,
  kind  text NOT NULL CHECK (kind IN ('county', 'town', 'village')),
  geom  geometry(LineString, 4326) NOT NULL
);
CREATE INDEX roads_geom_gix ON roads USING gist (geom);

CREATE TABLE transfer_stations (
  id    integer PRIMARY KEY,
  name  text NOT NULL,
  geom  geometry(Point, 4326) NOT NULL
);
CREATE INDEX transfer_stations_geom_gix ON transfer_stations USING gist (geom);

CREATE TABLE collection_points (
  id          integer PRIMARY KEY,
  village_id  integer NOT NULL REFERENCES villages(id),
  grid_id     integer NOT NULL REFERENCES grids(id),
  name        text NOT NULL,
  bins        integer NOT NULL CHECK (bins > 0),
  geom        geometry(Point, 4326) NOT NULL
);
CREATE INDEX collection_points_geom_gix ON collection_points USING gist (geom);

CREATE TABLE vehicles (
  id          integer PRIMARY KEY,
  plate       text NOT NULL UNIQUE,
  kind        text NOT NULL CHECK (kind IN ('garbageTruck')),
  name        text NOT NULL,
  driver_name text NOT NULL,
  camera_url  text
);

-- A truck's daily run: the ordered collection points it must stop at, and the road path.
CREATE TABLE vehicle_routes (
  id                   integer PRIMARY KEY,
  vehicle_id           integer NOT NULL REFERENCES vehicles(id),
  name                 text NOT NULL,
  collection_point_ids integer[] NOT NULL,
  geom                 geometry(LineString, 4326) NOT NULL
);
CREATE INDEX vehicle_routes_geom_gix ON vehicle_routes USING gist (geom);

CREATE TABLE cameras (
  id       integer PRIMARY KEY,
  grid_id  integer NOT NULL REFERENCES grids(id),
  kind     text NOT NULL CHECK (kind IN ('high', 'low', 'face')),
  name     text NOT NULL,
  online   boolean NOT NULL DEFAULT true,
  geom     geometry(Point, 4326) NOT NULL
);
CREATE INDEX cameras_geom_gix ON cameras USING gist (geom);
