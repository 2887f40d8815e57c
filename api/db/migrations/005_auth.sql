-- Accounts, sessions and the audit trail of unmasked personal-data lookups.
CREATE TABLE users (
  id               serial PRIMARY KEY,
  username         text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9_.-]{2,64}$'),
  display_name     text NOT NULL,
  role             text NOT NULL CHECK (role IN ('admin', 'leader', 'villageCadre', 'gridWorker', 'dispatcher', 'display', 'device')),
  village_id       integer REFERENCES villages(id),
  grid_id          integer REFERENCES grids(id),
  password_hash    text NOT NULL,
  failed_logins    integer NOT NULL DEFAULT 0,
  locked_until     timestamptz,
  disabled         boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL DEFAULT now(),
  -- a scoped role carries exactly its scope; the others carry none
  CHECK ((role = 'villageCadre') = (village_id IS NOT NULL)),
  CHECK ((role = 'gridWorker') = (grid_id IS NOT NULL))
);

-- Opaque bearer tokens; only their SHA-256 is stored, so a database dump leaks no live token.
CREATE TABLE sessions (
  token_hash   text PRIMARY KEY,
  user_id      integer NOT NULL REFERENCES users(id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE audit_log (
  id           bigserial PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  user_id      integer NOT NULL REFERENCES users(id),
  username     text NOT NULL,
  role         text NOT NULL,
  action       text NOT NULL,
  resident_id  integer REFERENCES residents(id),
  reason       text NOT NULL,
  ip           text NOT NULL,
  user_agent   text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_resident_idx ON audit_log (resident_id);

-- Written once at first start: whether the demo password was generated (and printed).
CREATE TABLE settings (
  key    text PRIMARY KEY,
  value  text NOT NULL
);
