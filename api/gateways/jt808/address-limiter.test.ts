import { describe, expect, it } from 'vitest'
import { AddressLimiter, addressKey } from './address-limiter.ts'
import { TokenBucket } from './token-bucket.ts'

describe('token bucket', () => {
  it('allows a burst, then the rate', () => {
    const b = new TokenBucket({ burst: 3, perSecond: 2 }, 0)
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false])
    expect(b.take(499)).toBe(false)
    expect(b.take(500)).toBe(true)
    expect(b.full(500)).toBe(false)
    expect(b.full(2000)).toBe(true)
    // never more than the burst, however long it rested
    expect([b.take(1e9), b.take(1e9), b.take(1e9), b.take(1e9)]).toEqual([true, true, true, false])
  })
})

describe('address limiter', () => {
  const limits = { registrations: { burst: 5, perSecond: 1 }, failures: { burst: 2, perSecond: 0.1 }, maxAddresses: 100 }

  it('keeps budgets per address: one address over its budget leaves the others theirs', () => {
    const l = new AddressLimiter(limits)
    const a = Array.from({ length: 7 }, () => l.register('10.0.0.1', 0))
    expect(a).toEqual([true, true, true, true, true, false, false])
    expect(l.register('10.0.0.2', 0)).toBe(true)
    expect([l.fail('10.0.0.1', 0), l.fail('10.0.0.1', 0), l.fail('10.0.0.1', 0)]).toEqual([true, true, false])
    expect(l.register('10.0.0.1', 1000)).toBe(true)
  })

  it('counts an IPv4-mapped address as the IPv4 one and an IPv6 address by its /64', () => {
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7')
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64')
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64')
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(addressKey('::1')).toBe('0:0:0:0::/64')
    const l = new AddressLimiter(limits)
    for (let i = 0; i < 5; i++) expect(l.register(`2001:db8:1:2::${i + 1}`, 0)).toBe(true)
    // a host that picks a new address from its /64 for every try is still one source
    expect(l.register('2001:db8:1:2::ffff', 0)).toBe(false)
  })

  it('remembers at most maxAddresses, however many addresses try, and forgets whole budgets on a sweep', () => {
    const l = new AddressLimiter({ ...limits, maxAddresses: 1000 })
    for (let i = 0; i < 100_000; i++) l.fail(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 0)
    expect(l.size).toBe(1000)
    // the least recently active are forgotten first: the newest ones are still held to their budget
    expect(l.fail('10.1.134.159', 0)).toBe(true) // i = 99,999 had one failure, a second is allowed
    expect(l.fail('10.1.134.159', 0)).toBe(false)
    l.sweep(5000)
    expect(l.size).toBe(1000) // a failure takes 10 s to come back: no budget is whole after 5 s
    l.sweep(60_000)
    expect(l.size).toBe(0)
  })
})
