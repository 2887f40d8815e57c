import { describe, expect, it } from 'vitest'
import { type Message, decodeFrame, encodeSubpackaged } from './header.ts'
import { Reassembler, type ReassemblyDrop } from './reassembly.ts'

const body = (n: number, seed = 0) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) % 256))

/** packets of one message as the gateway would get them off the wire */
function packets(payload: Buffer, opts: { serial?: number; msgId?: number; phone?: string; size?: number } = {}): Message[] {
  const h = { msgId: opts.msgId ?? 0x0704, edition: 2019 as const, phone: opts.phone ?? '13812345678', serial: opts.serial ?? 100 }
  return encodeSubpackaged(h, payload, opts.size ?? 100).map((f) => decodeFrame(f))
}

const feed = (r: Reassembler, ps: Message[], now = 0) => ps.map((p) => r.push(p.header, p.body, now))

describe('Reassembler', () => {
  it('joins packets that arrive in order', () => {
    const payload = body(2500)
    const ps = encodeSubpackaged({ msgId: 0x0704, edition: 2013, phone: '1', serial: 7 }, payload).map((f) => decodeFrame(f))
    const r = new Reassembler()
    const out = feed(r, ps)
    expect(out.slice(0, -1)).toEqual([null, null])
    expect(out.at(-1)).toEqual(payload)
    expect(r.pendingMessages).toBe(0)
    expect(r.pendingBytes).toBe(0)
    expect(r.stats.completed).toBe(1)
  })

  it('joins packets that arrive out of order', () => {
    const payload = body(450)
    const ps = packets(payload)
    const r = new Reassembler()
    const out = feed(r, [ps[3], ps[0], ps[4], ps[2], ps[1]])
    expect(out.slice(0, 4)).toEqual([null, null, null, null])
    expect(out[4]).toEqual(payload)
  })

  it('ignores a duplicated packet, even one with other bytes', () => {
    const payload = body(250)
    const ps = packets(payload)
    const r = new Reassembler()
    expect(r.push(ps[0].header, ps[0].body, 0)).toBeNull()
    expect(r.push(ps[0].header, ps[0].body, 0)).toBeNull()
    expect(r.push(ps[1].header, Buffer.alloc(100, 0xee), 0)).toBeNull()
    expect(r.push(ps[1].header, ps[1].body, 0)).toBeNull()
    expect(r.pendingBytes).toBe(200)
    expect(r.push(ps[2].header, ps[2].body, 0)).toEqual(Buffer.concat([ps[0].body, Buffer.alloc(100, 0xee), ps[2].body]))
    expect(r.stats.duplicates).toBe(2)
  })

  it('keeps apart interleaved messages of one terminal, also across the serial wrap', () => {
    const a = body(300, 1)
    const b = body(300, 2)
    const pa = packets(a, { serial: 65534 })
    const pb = packets(b, { serial: 1 })
    const r = new Reassembler()
    const out = feed(r, [pa[0], pb[0], pb[1], pa[1], pa[2], pb[2]])
    expect(out.filter((x) => x !== null)).toEqual([a, b])
    expect(pa.map((p) => p.header.serial)).toEqual([65534, 65535, 0])
  })

  it('keeps apart terminals and message ids', () => {
    const a = body(200, 1)
    const b = body(200, 2)
    const c = body(200, 3)
    const pa = packets(a, { phone: '1' })
    const pb = packets(b, { phone: '2' })
    const pc = packets(c, { phone: '1', msgId: 0x0801 })
    const r = new Reassembler()
    const out = feed(r, [pa[0], pb[0], pc[0], pc[1], pb[1], pa[1]])
    expect(out.filter((x) => x !== null)).toEqual([c, b, a])
  })

  it('passes a message that is not subpackaged straight through', () => {
    const [m] = packets(body(50))
    expect(new Reassembler().push(m.header, m.body, 0)).toBe(m.body)
  })

  it('drops a partial message idle past the timeout', () => {
    const drops: ReassemblyDrop[] = []
    const r = new Reassembler({ timeoutMs: 1000, onDrop: (d) => drops.push(d) })
    const ps = packets(body(300))
    r.push(ps[0].header, ps[0].body, 0)
    r.push(ps[1].header, ps[1].body, 900)
    // idle time counts from the last packet
    r.sweep(1800)
    expect(drops).toEqual([])
    expect(r.push(ps[2].header, ps[2].body, 1900)).toBeNull()
    expect(drops).toEqual([{ reason: 'timeout', phone: '00000000013812345678', msgId: 0x0704, total: 3, received: 2, firstSerial: 100 }])
    expect(r.pendingMessages).toBe(1)
    expect(r.pendingBytes).toBe(100)
    r.sweep(2900)
    expect(r.pendingMessages).toBe(0)
    expect(r.pendingBytes).toBe(0)
    expect(r.stats.timedOut).toBe(2)
  })

  it('drops the least recently active message past maxPending', () => {
    const drops: ReassemblyDrop[] = []
    const r = new Reassembler({ maxPending: 2, onDrop: (d) => drops.push(d) })
    const p = [1, 2, 3].map((i) => packets(body(200, i), { phone: String(i) }))
    r.push(p[0][0].header, p[0][0].body, 0)
    r.push(p[1][0].header, p[1][0].body, 1)
    r.push(p[0][0].header, p[0][0].body, 2) // a duplicate still counts as activity
    r.push(p[2][0].header, p[2][0].body, 3)
    expect(drops.map((d) => [d.reason, d.phone.slice(-1)])).toEqual([['limit', '2']])
    expect(r.pendingMessages).toBe(2)
    expect(r.push(p[0][1].header, p[0][1].body, 4)).toEqual(body(200, 1))
    expect(r.push(p[2][1].header, p[2][1].body, 5)).toEqual(body(200, 3))
  })

  it('drops messages to stay under maxBytes, and a message that alone is too big', () => {
    const drops: ReassemblyDrop[] = []
    const r = new Reassembler({ maxBytes: 250, onDrop: (d) => drops.push(d) })
    const a = packets(body(300, 1), { phone: '1' })
    const b = packets(body(300, 2), { phone: '2' })
    r.push(a[0].header, a[0].body, 0)
    r.push(a[1].header, a[1].body, 0)
    r.push(b[0].header, b[0].body, 0) // 300 bytes would be held: a goes
    expect(drops.map((d) => d.phone.slice(-1))).toEqual(['1'])
    expect(r.pendingBytes).toBe(100)
    r.push(b[1].header, b[1].body, 0)
    expect(r.push(b[2].header, b[2].body, 0)).toBeNull() // b alone needs 300
    expect(drops.map((d) => [d.reason, d.phone.slice(-1)])).toEqual([['limit', '1'], ['limit', '2']])
    expect(r.pendingBytes).toBe(0)
    expect(r.pendingMessages).toBe(0)
    expect(r.stats.limitDropped).toBe(2)
  })

  it('refuses limits that cannot work', () => {
    expect(() => new Reassembler({ maxPending: 0 })).toThrow(RangeError)
  })
})
