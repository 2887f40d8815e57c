-- Photos of reports, handling and visits. The files live on disk under DATA_DIR/photos (the
-- original, kept for the record, and a re-encoded copy and a thumbnail without EXIF, which are
-- all anyone is shown: a phone's photo carries where it was taken and by which device).
CREATE TABLE photos (
  id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sha256       text NOT NULL,
  mime         text NOT NULL CHECK (mime IN ('image/jpeg', 'image/png', 'image/webp')),
  bytes        integer NOT NULL,
  width        integer NOT NULL,
  height       integer NOT NULL,
  -- relative to the photo directory
  original     text NOT NULL,
  display      text NOT NULL,
  thumb        text NOT NULL,
  uploaded_by  text NOT NULL,
  village_id   integer REFERENCES villages(id),
  created_at   timestamptz NOT NULL DEFAULT now()
);
-- the same picture sent twice by an offline queue is one photo
CREATE UNIQUE INDEX photos_sha_uploader_idx ON photos (sha256, uploaded_by);
