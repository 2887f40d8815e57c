-- Allowances (限次): how many of a limited action an account has taken in the current window
-- (an hour, a Beijing day). Identity probes (an ID number already registered, a date compared
-- with a resident's birth date) and a department import's checks against the population are
-- counted here, taken in one statement, so parallel requests and several API processes share
-- one count and none slips past it. A window's row is dropped when the next is taken.
CREATE TABLE allowances (
  subject      text NOT NULL,
  action       text NOT NULL,
  window_start timestamptz NOT NULL,
  used         integer NOT NULL,
  PRIMARY KEY (subject, action, window_start)
);
