-- A phone's outbox replays what it is not sure the server got: a registration or a life event
-- sent again with its clientKey returns the first answer instead of a refusal to be guessed at.
-- The key lives on the change row the write made (one per registration or life event).
ALTER TABLE population_changes ADD COLUMN client_key text;
CREATE UNIQUE INDEX population_changes_client_key_idx ON population_changes (client_key) WHERE client_key IS NOT NULL;
