/** A rate: `burst` events at once, then `perSecond` on average. */
export interface Rate {
  burst: number
  perSecond: number
}

/**
 * A token bucket: starts full, each event takes a token, tokens come back at `perSecond` up to
 * `burst`. Time is passed in so tests need no clock.
 */
export class TokenBucket {
  private tokens: number
  private at: number

  constructor(
    readonly rate: Rate,
    now = Date.now(),
  ) {
    if (!(rate.burst >= 1) || !(rate.perSecond >= 0)) throw new RangeError('a rate needs burst >= 1 and perSecond >= 0')
    this.tokens = rate.burst
    this.at = now
  }

  private refill(now: number): void {
    if (now <= this.at) return
    this.tokens = Math.min(this.rate.burst, this.tokens + ((now - this.at) / 1000) * this.rate.perSecond)
    this.at = now
  }

  /** Takes a token; false when there is none (the event is over the rate). */
  take(now = Date.now()): boolean {
    this.refill(now)
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }

  /** Full again: the bucket remembers nothing an empty one would not. */
  full(now = Date.now()): boolean {
    this.refill(now)
    return this.tokens >= this.rate.burst
  }
}
