import type { AddressLimiter } from './address-limiter.ts'
import { type Rate, TokenBucket } from './token-bucket.ts'

/** Budgets of one connection; its address's budgets are the AddressLimiter's. */
export interface ConnectionSignInLimits {
  /** registrations (0x0100) on one connection */
  registrations: Rate
  /** failed authentications and refused registrations on one connection */
  failures: Rate
}

/**
 * Registrations and failures of one connection, against its own budgets and its source
 * address's. A terminal registers once in its life and authenticates once per connection, so
 * anything beyond a few is someone guessing terminal IDs or auth codes: each method returns
 * why the connection should be closed, or null.
 */
export class SignInGuard {
  private readonly registrations: TokenBucket
  private readonly failures: TokenBucket

  constructor(
    private readonly addresses: AddressLimiter,
    readonly address: string,
    limits: ConnectionSignInLimits,
  ) {
    this.registrations = new TokenBucket(limits.registrations)
    this.failures = new TokenBucket(limits.failures)
  }

  /** Before a registration is looked up, so one over a budget costs no query. */
  registration(): string | null {
    if (!this.registrations.take()) return 'too many registrations on this connection'
    if (!this.addresses.register(this.address)) return `too many registrations from ${this.address}`
    return null
  }

  /** After a failed authentication or a refused registration (result 2, 3 or 4), before it is answered. */
  failure(): string | null {
    if (!this.failures.take()) return 'too many failed registrations or authentications on this connection'
    if (!this.addresses.fail(this.address)) return `too many failed registrations or authentications from ${this.address}`
    return null
  }
}
