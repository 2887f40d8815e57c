import type { Queryable } from '../db/types.ts'

// Allowances (migration 033): a limited action (an identity probe, an import's check against the
// population) taken from an account's allowance for the current window. Counted in the database
// so every API process and restart shares the count.

export interface Allowance {
  /** a stable name, the same as the audit action it limits */
  action: string
  limit: number
  /** an hour (UTC clock hours), or a calendar day in Beijing */
  window: 'hour' | 'beijingDay'
}

/** What one account may learn about identities per window (tests lower them). */
export interface IdentityLimits {
  /** identity probes (an ID number already registered, a date against a birth date) per account and hour */
  probesPerHour: number
  /** a department import's checks against the population (dry runs and applies) per account and Beijing day */
  importChecksPerDay: number
}

export const DEFAULT_IDENTITY_LIMITS: IdentityLimits = { probesPerHour: 10, importChecksPerDay: 20 }

const HOUR = 3_600_000
const BEIJING = 8 * HOUR

export function windowStart(window: Allowance['window'], now = Date.now()): Date {
  if (window === 'hour') return new Date(Math.floor(now / HOUR) * HOUR)
  return new Date(Math.floor((now + BEIJING) / (24 * HOUR)) * 24 * HOUR - BEIJING)
}

/** Whether the account has any of this allowance left (a look, nothing taken). */
export async function allowanceLeft(db: Queryable, subject: string, a: Allowance, now = Date.now()): Promise<boolean> {
  const r = await db.query<{ used: number }>(
    'SELECT used FROM allowances WHERE subject = $1 AND action = $2 AND window_start = $3', [subject, a.action, windowStart(a.window, now).toISOString()])
  return (r.rows[0]?.used ?? 0) < a.limit
}

/** Takes one from the allowance in one statement; false when none was left (nothing taken). */
export async function takeAllowance(db: Queryable, subject: string, a: Allowance, now = Date.now()): Promise<boolean> {
  if (a.limit < 1) return false
  const start = windowStart(a.window, now).toISOString()
  await db.query('DELETE FROM allowances WHERE subject = $1 AND action = $2 AND window_start < $3', [subject, a.action, start])
  const r = await db.query(
    `INSERT INTO allowances AS a (subject, action, window_start, used) VALUES ($1, $2, $3, 1)
     ON CONFLICT (subject, action, window_start) DO UPDATE SET used = a.used + 1 WHERE a.used < $4 RETURNING used`,
    [subject, a.action, start, a.limit])
  return r.rows.length > 0
}
