-- Sign-in attempts are throttled per account and client address, and slowed down rather than
-- locked (api/auth/throttle.ts): five wrong passwords from one address no longer lock the owner
-- out at hers. Keyed by the username as typed, so an unknown username is throttled exactly as a
-- real one (no answer tells which exist).
CREATE TABLE login_throttles (
  username         text NOT NULL,
  address          text NOT NULL,
  -- wrong (or not yet checked) attempts in a row from this address; a success clears them
  failures         integer NOT NULL DEFAULT 0,
  last_failure_at  timestamptz,
  -- this address waits until then before its next attempt on this account
  blocked_until    timestamptz,
  -- the account signed in from here: a known address, spared the account-wide ceiling
  last_success_at  timestamptz,
  PRIMARY KEY (username, address)
);

-- Attempts on an account from addresses it never signed in from, per window: a guess spread
-- over many addresses is slowed down here (only for such addresses).
CREATE TABLE login_account_throttles (
  username      text PRIMARY KEY,
  window_start  timestamptz NOT NULL,
  attempts      integer NOT NULL
);

-- users.failed_logins and users.locked_until are no longer read or written; they stay until a
-- later release, so a process of the previous one still signs people in during a rolling upgrade.
