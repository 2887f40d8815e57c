/**
 * The disk one address may fill through the residents' channel in a day: a count of photos an
 * hour bounds requests, not bytes (30 photos of 10 MB, each kept with its re-encoded copy, is
 * a third of a gigabyte an hour). Kept in memory per process like the request limits, and
 * bounded: past `maxAddresses` the oldest window is forgotten, so a stranger cycling through
 * addresses costs memory only up to that.
 */
export class UploadBudget {
  private readonly used = new Map<string, { bytes: number; since: number }>()

  constructor(
    readonly bytesPerDay: number,
    private readonly maxAddresses = 10_000,
    private readonly windowMs = 86_400_000,
  ) {}

  /** when nothing is left for this address (checked before a body is read): the seconds until its day renews; else null */
  exhausted(address: string, now = Date.now()): number | null {
    const u = this.current(address, now)
    return u !== undefined && u.bytes >= this.bytesPerDay ? this.renewsIn(u, now) : null
  }

  /**
   * Takes `bytes` from the address's day, or says in how many seconds its day renews. A photo
   * is taken at its upload's size before it is stored and settled with `adjust` after.
   */
  take(address: string, bytes: number, now = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    let u = this.current(address, now)
    if (!u) {
      u = { bytes: 0, since: now }
      this.used.set(address, u)
      this.forgetOldest(now)
    }
    if (u.bytes + bytes > this.bytesPerDay) return { ok: false, retryAfterSeconds: this.renewsIn(u, now) }
    u.bytes += bytes
    return { ok: true }
  }

  /** what was stored differs from what was taken: a replay stored nothing, a new photo its copies too */
  adjust(address: string, delta: number, now = Date.now()): void {
    const u = this.current(address, now)
    if (u) u.bytes = Math.max(0, u.bytes + delta)
  }

  private renewsIn(u: { since: number }, now: number): number {
    return Math.max(1, Math.ceil((u.since + this.windowMs - now) / 1000))
  }

  private current(address: string, now: number) {
    const u = this.used.get(address)
    if (u && now - u.since >= this.windowMs) {
      this.used.delete(address)
      return undefined
    }
    return u
  }

  /** Map order is the order windows began: expired ones and, past the bound, the oldest go first */
  private forgetOldest(now: number): void {
    for (const [address, u] of this.used) {
      if (this.used.size <= this.maxAddresses && now - u.since < this.windowMs) break
      this.used.delete(address)
    }
  }
}
