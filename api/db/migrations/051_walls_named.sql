-- Walls the admin can tell apart and steer from the desk: a name instead of the id the wall made
-- for itself, the tour it runs (without ?tour= in its address), and a reload asked for remotely
-- (delivered over the socket at once, or with the answer to the wall's next health report).
ALTER TABLE displays ADD COLUMN name text CHECK (name IS NULL OR length(name) BETWEEN 1 AND 40);
ALTER TABLE displays ADD COLUMN tour_id integer REFERENCES tours(id) ON DELETE SET NULL;
ALTER TABLE displays ADD COLUMN reload_asked_at timestamptz;

-- 大屏链接: a one-time code the desk puts in a link's #fragment (never sent to the server with
-- the page) and the wall exchanges for a display account's session. Only its SHA-256 is kept;
-- it is spent by its first use and dies unused after a day. The name and tour are given to the
-- wall that pairs with it.
CREATE TABLE display_pairings (
  code_hash   text PRIMARY KEY,
  user_id     integer NOT NULL REFERENCES users(id),
  name        text CHECK (name IS NULL OR length(name) BETWEEN 1 AND 40),
  tour_id     integer REFERENCES tours(id) ON DELETE SET NULL,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  display_id  text
);
CREATE INDEX display_pairings_expires_idx ON display_pairings (expires_at);
