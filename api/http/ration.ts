/**
 * A token bucket without a timer: `burst` takes at once, one more every `refillMs`. Kept per
 * socket or connection, so it must cost nothing while idle (a timer per socket is what stops
 * a Node server with many connections long before the kernel does).
 */
export class Ration {
  private tokens: number
  private last: number

  constructor(
    private readonly burst: number,
    private readonly refillMs: number,
    now = Date.now(),
  ) {
    this.tokens = burst
    this.last = now
  }

  take(now = Date.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) / this.refillMs)
    this.last = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}
