import type { Db, Queryable } from '../db/types.ts'

// Sign-in throttling (OWASP: throttle rather than lock, so a lock-out cannot be used against the
// owner; AWS Cognito's "double the wait after five failures, up to 15 minutes" is the model).
// Counts live in the database, not in a process, so every API process on one PostgreSQL counts
// the same attempts. Keys are the username as typed and the client address: an unknown username
// is throttled exactly as a real one.

/** wrong passwords in a row from one address before it has to wait */
export const FREE_FAILURES = 5
/** the first wait; each further failure doubles it, up to MAX_WAIT_MINUTES */
export const FIRST_WAIT_MINUTES = 1
export const MAX_WAIT_MINUTES = 15
/** an address's failures are forgotten after a day without one */
export const FAILURES_KEPT_HOURS = 24
/** an address the account signed in from within this many days is known: the owner's */
export const KNOWN_ADDRESS_DAYS = 90
/** attempts on one account from addresses it does not know, per window, before they wait */
export const ACCOUNT_ATTEMPTS = 30
export const ACCOUNT_WINDOW_MINUTES = 15

export type Claim = { known: boolean } | { retryAfter: number }

class Refused extends Error {
  constructor(readonly retryAfter: number) {
    super('sign-in throttled')
  }
}

/** the failures count after this attempt: restarted when the last failure is old */
const NEXT_FAILURES = `CASE WHEN t.last_failure_at IS NULL OR t.last_failure_at <= now() - make_interval(hours => ${FAILURES_KEPT_HOURS}) THEN 1 ELSE t.failures + 1 END`

/**
 * Takes one attempt for (username, address) before the password is checked, pessimistically
 * counted as a failure (a success clears it). The count is taken in one statement that also
 * refuses while the address waits, so parallel guesses from one address cannot slip past it.
 * From an address the account does not know, the attempt is also taken from the account's
 * window (ACCOUNT_ATTEMPTS per ACCOUNT_WINDOW_MINUTES), in the same transaction: a refusal
 * there gives the address its attempt back. Refused: how many seconds to wait.
 */
export async function claimSignIn(db: Db, username: string, address: string): Promise<Claim> {
  try {
    return await db.transaction(async (tx) => {
      const mine = await tx.query<{ known: boolean }>(
        `INSERT INTO login_throttles AS t (username, address, failures, last_failure_at) VALUES ($1, $2, 1, now())
         ON CONFLICT (username, address) DO UPDATE SET
           failures = ${NEXT_FAILURES},
           last_failure_at = now(),
           blocked_until = CASE WHEN ${NEXT_FAILURES} >= $3
             THEN now() + make_interval(mins => least(${FIRST_WAIT_MINUTES} * power(2, least(${NEXT_FAILURES} - $3, 10)), ${MAX_WAIT_MINUTES})::int) END
           WHERE t.blocked_until IS NULL OR t.blocked_until <= now()
         RETURNING coalesce(t.last_success_at > now() - make_interval(days => ${KNOWN_ADDRESS_DAYS}), false) AS known`,
        [username, address, FREE_FAILURES],
      )
      if (!mine.rows.length) {
        throw new Refused(await waitOf(tx, `SELECT ${secondsUntil('blocked_until')} FROM login_throttles WHERE username = $1 AND address = $2`, [username, address]))
      }
      const known = mine.rows[0].known
      if (known) return { known }
      const account = await tx.query(
        `INSERT INTO login_account_throttles AS a (username, window_start, attempts) VALUES ($1, now(), 1)
         ON CONFLICT (username) DO UPDATE SET
           window_start = CASE WHEN a.window_start <= now() - make_interval(mins => $3) THEN now() ELSE a.window_start END,
           attempts = CASE WHEN a.window_start <= now() - make_interval(mins => $3) THEN 1 ELSE a.attempts + 1 END
           WHERE a.window_start <= now() - make_interval(mins => $3) OR a.attempts < $2
         RETURNING a.attempts`,
        [username, ACCOUNT_ATTEMPTS, ACCOUNT_WINDOW_MINUTES],
      )
      if (!account.rows.length) {
        const end = `window_start + make_interval(mins => ${ACCOUNT_WINDOW_MINUTES})`
        throw new Refused(await waitOf(tx, `SELECT ${secondsUntil(end)} FROM login_account_throttles WHERE username = $1`, [username]))
      }
      return { known }
    })
  } catch (err) {
    if (err instanceof Refused) return { retryAfter: err.retryAfter }
    throw err
  }
}

const secondsUntil = (time: string) => `ceil(extract(epoch FROM ${time} - now()))::int AS wait`

/** the wait a query names, in whole seconds, at least one */
async function waitOf(db: Queryable, sql: string, params: unknown[]): Promise<number> {
  const r = await db.query<{ wait: number | null }>(sql, params)
  return Math.max(1, Number(r.rows[0]?.wait ?? 1))
}

/**
 * A correct password: the address starts afresh and is known from now on; an attempt taken from
 * the account's window for a then-unknown address is given back (the window counts guesses).
 */
export async function recordSignIn(db: Queryable, username: string, address: string, wasKnown: boolean): Promise<void> {
  await db.query(
    `INSERT INTO login_throttles (username, address, failures, last_success_at) VALUES ($1, $2, 0, now())
     ON CONFLICT (username, address) DO UPDATE SET failures = 0, blocked_until = NULL, last_success_at = now()`,
    [username, address],
  )
  if (!wasKnown) await db.query('UPDATE login_account_throttles SET attempts = greatest(attempts - 1, 0) WHERE username = $1', [username])
}

/** The admin's unlock (and a new password): every address may try again, known ones stay known. */
export async function clearThrottle(db: Queryable, username: string): Promise<void> {
  await db.query('UPDATE login_throttles SET failures = 0, blocked_until = NULL WHERE username = $1', [username])
  await db.query('DELETE FROM login_account_throttles WHERE username = $1', [username])
}

/** SQL: whether sign-ins to the account named by `username` (an SQL expression) are held back now */
export const throttledSql = (username: string) => `(EXISTS (SELECT 1 FROM login_throttles lt WHERE lt.username = ${username} AND lt.blocked_until > now())
  OR EXISTS (SELECT 1 FROM login_account_throttles la WHERE la.username = ${username} AND la.attempts >= ${ACCOUNT_ATTEMPTS}
                AND la.window_start > now() - make_interval(mins => ${ACCOUNT_WINDOW_MINUTES})))`

/**
 * Forgets what no longer matters: addresses with neither a recent failure nor a known sign-in,
 * and finished windows. Run hourly by every process (idempotent); the tables then hold at most a
 * day of guesses, which the per-address route limit bounds.
 */
export async function forgetStaleThrottles(db: Queryable): Promise<void> {
  await db.query(
    `DELETE FROM login_throttles
      WHERE (last_failure_at IS NULL OR last_failure_at <= now() - make_interval(hours => $1))
        AND (blocked_until IS NULL OR blocked_until <= now())
        AND (last_success_at IS NULL OR last_success_at <= now() - make_interval(days => $2))`,
    [FAILURES_KEPT_HOURS, KNOWN_ADDRESS_DAYS],
  )
  await db.query('DELETE FROM login_account_throttles WHERE window_start <= now() - make_interval(mins => $1)', [ACCOUNT_WINDOW_MINUTES])
}
