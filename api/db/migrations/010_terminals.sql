-- Vehicle terminals that report over a protocol gateway (JT/T 808) instead of HTTP. The
-- terminal identifies itself by the "phone" in every message header: 12 BCD digits in the
-- 2013 edition, 20 in 2019, kept exactly as sent (leading zeros matter for the match).
CREATE TABLE terminals (
  phone         text PRIMARY KEY CHECK (phone ~ '^([0-9]{12}|[0-9]{20})$'),
  vehicle_id    integer NOT NULL REFERENCES vehicles(id),
  protocol      text NOT NULL DEFAULT 'jt808' CHECK (protocol IN ('jt808')),
  -- the standard says WGS-84; some vendors send GCJ-02, converted at the gateway
  crs           text NOT NULL DEFAULT 'wgs84' CHECK (crs IN ('wgs84', 'gcj02')),
  -- issued in the registration reply, checked on every authentication
  auth_code     text,
  -- what the terminal said about itself when it registered (maker, model, terminal id, plate)
  device        jsonb NOT NULL DEFAULT '{}',
  registered_at timestamptz,
  last_seen_at  timestamptz,
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
-- one terminal per truck: a replaced unit is unbound first, so two never report as one truck
CREATE UNIQUE INDEX terminals_vehicle_idx ON terminals (vehicle_id);
