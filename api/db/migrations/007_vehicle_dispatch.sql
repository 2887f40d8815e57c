-- A dispatcher sends a truck to a collection point (an overflowing bin, a missed stop).
-- The order stays on the map until the truck stands there, or it is cancelled or replaced.
CREATE TABLE vehicle_dispatches (
  id                  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  vehicle_id          integer NOT NULL REFERENCES vehicles(id),
  collection_point_id integer NOT NULL REFERENCES collection_points(id),
  note                text NOT NULL DEFAULT '',
  state               text NOT NULL DEFAULT 'sent' CHECK (state IN ('sent', 'arrived', 'cancelled')),
  created_by          text NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  done_at             timestamptz,
  done_by             text
);
-- one order at a time per truck
CREATE UNIQUE INDEX vehicle_dispatches_one_active ON vehicle_dispatches (vehicle_id) WHERE state = 'sent';
CREATE INDEX vehicle_dispatches_created_idx ON vehicle_dispatches (created_at DESC);
