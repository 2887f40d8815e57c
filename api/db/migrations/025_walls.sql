-- Walls left alone (一屏观天下 runs unattended for months): tours (轮播) an admin defines, and the
-- health each wall reports every minute, so the desk can tell a wall that is alive from one that
-- froze or leaks.
CREATE TABLE tours (
  id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  -- [{ scope: 'town' | 'village:ID' | 'grid:ID' | 'vehicle:ID', dwellSeconds }]
  steps       jsonb NOT NULL,
  -- { nightStart: 'HH:MM', nightEnd: 'HH:MM', dim: 0..1 } or null: night mode, dimmed colours
  schedule    jsonb,
  updated_by  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per wall (its id is made by the wall and kept in its browser), the newest report, and
-- a short series of heap readings for the trend.
CREATE TABLE displays (
  id           text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{8,64}$'),
  username     text NOT NULL,
  first_seen   timestamptz NOT NULL DEFAULT now(),
  last_seen    timestamptz NOT NULL,
  scope        text NOT NULL,
  tour         text,
  version      text NOT NULL,
  width        integer NOT NULL,
  height       integer NOT NULL,
  fps          real,
  heap_mb      real,
  dom_nodes    integer,
  user_agent   text NOT NULL DEFAULT '',
  -- the last 60 heap readings (an hour at one a minute), oldest first
  heap_series  real[] NOT NULL DEFAULT '{}',
  reloads      integer NOT NULL DEFAULT 0
);
