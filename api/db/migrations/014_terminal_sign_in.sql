-- A JT/T 808 terminal registers once in its life and keeps its auth code. Once it has signed
-- in (0x0102) with the code it was issued, a registration of its ID is refused ("terminal
-- already registered", result 3) until an admin resets it: before, anyone reaching the port
-- could register a signed-in terminal's ID, get a fresh code and take the truck's place.
-- NULL until the first sign-in with the current code, so a terminal whose registration reply
-- was lost can register again; codes issued before this migration count as not yet used, and
-- the first sign-in with one confirms it.
ALTER TABLE terminals ADD COLUMN authenticated_at timestamptz;
