import type { AuthUser } from '../auth/roles.ts'
import type { Db } from '../db/types.ts'
import { allowanceLeft, takeAllowance, type Allowance, type IdentityLimits } from '../access/allowance.ts'
import { writeAudit, type Origin } from '../access/audit.ts'
import { HttpError } from '../http/errors.ts'

/**
 * A refusal that tells the caller something about a person the masked view hides: that an ID
 * number is registered (and, in her scope, where), or how a date she gave compares with a
 * resident's birth date. Thrown inside a write (its transaction rolls back), answered by
 * withProbes: taken from the account's hourly allowance and audited before the caller sees it.
 */
export class IdentityProbe extends Error {
  constructor(
    readonly action: 'idNumberProbe' | 'birthDateProbe',
    readonly answer: HttpError,
    /** whom the probe was about, for the audit trail only (never in the answer) */
    readonly residentId: number | null,
    /** what was asked, for the trail: the route and what it answered, identifiers masked */
    readonly what: string,
  ) {
    super(answer.message)
  }
}

const probeAllowance = (limits: IdentityLimits): Allowance => ({ action: 'identityProbe', limit: limits.probesPerHour, window: 'hour' })

const exhausted = (limits: IdentityLimits) => new HttpError(429,
  `this account has had ${limits.probesPerHour} identity refusals (an ID number already registered, a date that is not a resident's birth date) this hour; ` +
  'writes that compare identities wait until the next hour', 'identity_probe_limit')

export interface ProbeContext {
  origin: Origin
  limits: IdentityLimits
}

/**
 * Runs a write that may answer an identity probe. Past the hour's allowance it is refused (429)
 * before the register is asked, whatever it carries: were only probes refused, a 201 against a
 * 429 would still tell which numbers are taken.
 */
export async function withProbes<T>(db: Db, user: AuthUser, ctx: ProbeContext, write: () => Promise<T>): Promise<T> {
  const allowance = probeAllowance(ctx.limits)
  if (!(await allowanceLeft(db, user.username, allowance))) throw exhausted(ctx.limits)
  try {
    return await write()
  } catch (err) {
    if (!(err instanceof IdentityProbe)) throw err
    if (!(await takeAllowance(db, user.username, allowance))) throw exhausted(ctx.limits)
    await writeAudit(db, user, ctx.origin, { action: err.action, reason: err.what, residentId: err.residentId })
    throw err.answer
  }
}
