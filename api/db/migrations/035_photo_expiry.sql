-- A photo attached to nothing (uploaded for a report never sent, a form left) expires a day
-- after it was last sent: the expiry job (api/photos/expiry.ts) deletes its row and files.
-- Sending the same bytes again (an offline queue replaying) renews it, so this is when it was
-- last sent, not when it was first stored.
ALTER TABLE photos ADD COLUMN last_sent_at timestamptz;
UPDATE photos SET last_sent_at = created_at;
ALTER TABLE photos ALTER COLUMN last_sent_at SET NOT NULL;
ALTER TABLE photos ALTER COLUMN last_sent_at SET DEFAULT now();
CREATE INDEX photos_last_sent_idx ON photos (last_sent_at);
