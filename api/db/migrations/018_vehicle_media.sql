-- Trucks as a managed fleet over JT/T 808: photos the trucks' cameras take (on a dispatcher's
-- 拍照 or by themselves on an alarm), and the alarms their terminals raise (the emergency
-- button, device faults) as alert kinds beside the ones the server judges.
ALTER TABLE vehicle_alerts DROP CONSTRAINT vehicle_alerts_kind_check;
ALTER TABLE vehicle_alerts ADD CONSTRAINT vehicle_alerts_kind_check
  CHECK (kind IN ('offline', 'overspeed', 'dwell', 'offRoute', 'missedPoint', 'emergency', 'deviceFault'));

CREATE TABLE vehicle_media (
  id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  vehicle_id  integer NOT NULL REFERENCES vehicles(id),
  -- the stored photo (re-encoded, no EXIF); the same upload resent is the same photo, one row
  photo_id    integer NOT NULL UNIQUE REFERENCES photos(id),
  phone       text NOT NULL,
  -- the terminal's multimedia ID, channel and event code (0 = a platform command, 2 = robbery alarm …)
  media_id    bigint NOT NULL,
  channel     smallint NOT NULL,
  event       smallint NOT NULL,
  -- the terminal's fix when it took the photo; null without a fix
  taken_at    timestamptz,
  geom        geometry(Point, 4326),
  -- the alert the photo came with (a terminal's own upload on an alarm)
  alert_id    integer REFERENCES vehicle_alerts(id),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX vehicle_media_vehicle_idx ON vehicle_media (vehicle_id, created_at DESC);
CREATE INDEX vehicle_media_alert_idx ON vehicle_media (alert_id) WHERE alert_id IS NOT NULL;
