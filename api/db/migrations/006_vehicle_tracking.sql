-- Live garbage trucks: every GPS fix for the retention period, the newest fix per vehicle
-- for the live map, and alerts that are raised once however many API processes run.

-- One row per fix. (vehicle_id, time) is the key: a device that resends a batch after a
-- lost answer writes nothing twice, and a track for a time range is one index range scan.
CREATE TABLE vehicle_positions (
  vehicle_id  integer NOT NULL REFERENCES vehicles(id),
  time        timestamptz NOT NULL,
  geom        geometry(Point, 4326) NOT NULL,
  speed_kmh   real NOT NULL,
  heading     real NOT NULL,
  accuracy    real,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (vehicle_id, time)
);
-- Retention deletes by age across all vehicles; BRIN stays tiny on append-mostly data.
CREATE INDEX vehicle_positions_time_brin ON vehicle_positions USING brin (time);

-- The newest fix per vehicle. A late, out-of-order fix goes into history but never moves
-- the truck backwards on the map. stationary_since starts when the truck stops moving.
CREATE TABLE vehicle_latest (
  vehicle_id       integer PRIMARY KEY REFERENCES vehicles(id),
  time             timestamptz NOT NULL,
  geom             geometry(Point, 4326) NOT NULL,
  speed_kmh        real NOT NULL,
  heading          real NOT NULL,
  village_id       integer REFERENCES villages(id),
  stationary_since timestamptz
);
CREATE INDEX vehicle_latest_geom_gix ON vehicle_latest USING gist (geom);

-- A condition (offline, overspeed, …) is active from raised_at until ended_at; the
-- dispatcher's handling (open → acknowledged → closed) is separate from the condition.
-- missedPoint is an event (a run ended without a stop at some of its collection points):
-- it is written already ended.
CREATE TABLE vehicle_alerts (
  id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  vehicle_id      integer NOT NULL REFERENCES vehicles(id),
  kind            text NOT NULL CHECK (kind IN ('offline', 'overspeed', 'dwell', 'offRoute', 'missedPoint')),
  state           text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'acknowledged', 'closed')),
  message         text NOT NULL,
  detail          jsonb NOT NULL DEFAULT '{}',
  geom            geometry(Point, 4326),
  village_id      integer REFERENCES villages(id),
  raised_at       timestamptz NOT NULL DEFAULT now(),
  ended_at        timestamptz,
  acknowledged_by text,
  acknowledged_at timestamptz,
  closed_by       text,
  closed_at       timestamptz
);
-- At most one active condition per vehicle and kind: two API processes that see the same
-- overspeed both try to insert, one wins, and only the winner announces it.
CREATE UNIQUE INDEX vehicle_alerts_one_active ON vehicle_alerts (vehicle_id, kind) WHERE ended_at IS NULL;
CREATE INDEX vehicle_alerts_raised_idx ON vehicle_alerts (raised_at DESC);
CREATE INDEX vehicle_alerts_geom_gix ON vehicle_alerts USING gist (geom);
