-- Twelve months of governance history per village: party building, affairs, health, disputes.
CREATE TABLE party_activities (
  village_id  integer NOT NULL REFERENCES villages(id),
  month       date NOT NULL,           -- first day of the month
  kind        text NOT NULL CHECK (kind IN ('activityDay', 'threeMeetings')),
  expected    integer NOT NULL CHECK (expected >= 0),
  attended    integer NOT NULL CHECK (attended >= 0),
  PRIMARY KEY (village_id, month, kind),
  CHECK (attended <= expected)
);

-- 星级评定 inputs for the village party secretary; the star count is derived, never stored.
CREATE TABLE star_reviews (
  village_id     integer NOT NULL REFERENCES villages(id),
  year           integer NOT NULL,
  annual_review  text NOT NULL CHECK (annual_review IN ('excellent', 'qualified', 'basic', 'failed')),
  honour         text CHECK (honour IN ('national', 'provincial')),
  PRIMARY KEY (village_id, year)
);

CREATE TABLE welfare_funds (
  id           integer PRIMARY KEY,
  village_id   integer NOT NULL REFERENCES villages(id),
  month        date NOT NULL,
  category     text NOT NULL,
  amount_yuan  numeric(12, 2) NOT NULL CHECK (amount_yuan >= 0),
  recipients   integer NOT NULL CHECK (recipients >= 0)
);
CREATE INDEX welfare_funds_village_month_idx ON welfare_funds (village_id, month);

CREATE TABLE notices (
  id            integer PRIMARY KEY,
  village_id    integer NOT NULL REFERENCES villages(id),
  published_at  timestamptz NOT NULL,
  category      text NOT NULL,
  title         text NOT NULL
);
CREATE INDEX notices_village_idx ON notices (village_id, published_at DESC);

CREATE TABLE health_coverage (
  village_id         integer NOT NULL REFERENCES villages(id),
  month              date NOT NULL,
  eligible           integer NOT NULL CHECK (eligible >= 0),
  medical_insured    integer NOT NULL CHECK (medical_insured >= 0),
  pension_insured    integer NOT NULL CHECK (pension_insured >= 0),
  vaccinated         integer NOT NULL CHECK (vaccinated >= 0),
  PRIMARY KEY (village_id, month)
);

CREATE TABLE disputes (
  id           integer PRIMARY KEY,
  grid_id      integer NOT NULL REFERENCES grids(id),
  reported_at  timestamptz NOT NULL,
  type         text NOT NULL,
  status       text NOT NULL CHECK (status IN ('pending', 'mediating', 'resolved', 'failed')),
  resolved_at  timestamptz,
  geom         geometry(Point, 4326) NOT NULL
);
CREATE INDEX disputes_grid_idx ON disputes (grid_id, reported_at);
CREATE INDEX disputes_geom_gix ON disputes USING gist (geom);
