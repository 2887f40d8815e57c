import { isIPv6 } from 'node:net'
import { type Rate, TokenBucket } from './token-bucket.ts'

export interface AddressLimits {
  /** registrations (0x0100) from one address */
  registrations: Rate
  /** failed authentications and refused registrations from one address */
  failures: Rate
  /** addresses remembered at once; beyond it the least recently active one is forgotten */
  maxAddresses: number
}

interface Entry {
  registrations: TokenBucket
  failures: TokenBucket
}

/**
 * The source an address stands for: an IPv4 address (also when IPv4-mapped), or the /64 of an
 * IPv6 one, since a single host is usually given a whole /64 to pick addresses from.
 */
export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown'
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return mapped[1]
  if (!isIPv6(address)) return address
  const [head, tail = ''] = address.split('%')[0].split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`
}

/**
 * Registration and failure budgets per source address, generous enough for many terminals
 * behind one carrier NAT. What it remembers is bounded: an entry whose buckets are full again
 * is swept, and past maxAddresses the least recently active address is forgotten (an attacker
 * able to push others out commands that many addresses, which per-address limits never stop).
 */
export class AddressLimiter {
  private readonly entries = new Map<string, Entry>()

  constructor(readonly limits: AddressLimits) {
    if (!(limits.maxAddresses >= 1)) throw new RangeError('maxAddresses must be at least 1')
  }

  /** addresses remembered now */
  get size(): number {
    return this.entries.size
  }

  /** A registration from this address; false when it is over the address's budget. */
  register(address: string, now = Date.now()): boolean {
    return this.entry(address, now).registrations.take(now)
  }

  /** A failure from this address; false when it is one too many. */
  fail(address: string, now = Date.now()): boolean {
    return this.entry(address, now).failures.take(now)
  }

  /** Forgets the addresses whose budgets are whole again. */
  sweep(now = Date.now()): void {
    for (const [key, e] of this.entries) if (e.registrations.full(now) && e.failures.full(now)) this.entries.delete(key)
  }

  private entry(address: string, now: number): Entry {
    const key = addressKey(address)
    let e = this.entries.get(key)
    if (e) {
      // most recently active last, so the first key is the one to forget
      this.entries.delete(key)
    } else {
      if (this.entries.size >= this.limits.maxAddresses) this.entries.delete(this.entries.keys().next().value!)
      e = { registrations: new TokenBucket(this.limits.registrations, now), failures: new TokenBucket(this.limits.failures, now) }
    }
    this.entries.set(key, e)
    return e
  }
}
