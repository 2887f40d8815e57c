// What a stranger on the JT/T 808 port can cost: registrations and failures are budgeted per
// connection and per source address (loopback addresses 127.0.0.x stand for different
// sources), a connection that does not authenticate is closed and holds a few kB meanwhile,
// and garbage does not flood the log. Each gateway here runs on the test database beside the
// app's own (off), with a captured logger.
import Fastify from 'fastify'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../../test/app.ts'
import { encodeFrame } from './frame.ts'
import { encodeHeader, encodeMessage, encodeSubpackaged } from './header.ts'
import { MsgId } from './ids.ts'
import { StatusBit } from './location.ts'
import { PlatformResult, RegistrationResult } from './messages.ts'
import { RawPeer } from './raw-peer.ts'
import { startJt808Gateway, type Jt808Gateway, type Jt808Options } from './gateway.ts'
import { Jt808Terminal, simulatedUnit } from './terminal-client.ts'
import { encodeAuthentication } from './terminal-codec.ts'

const REAL = '013800000001'
const UNKNOWN = (i: number) => `0199${String(i).padStart(8, '0')}`

let t: TestApp
let code: string
beforeAll(async () => {
  t = await openTestApp()
  expect((await t.as('admin', { method: 'POST', url: '/api/terminals', payload: { phone: REAL, vehicleId: 1, protocol: 'jt808', ...simulatedUnit(REAL) } })).statusCode).toBe(201)
  // registered once, as in its life; the tests sign in with the code
  code = 'f00df00df00df00d'
  await t.db.query('UPDATE terminals SET auth_code = $2, authenticated_at = now() WHERE phone = $1', [REAL, code])
})
afterAll(async () => t?.close())

let gateway: Jt808Gateway | undefined
let lines: { msg: string; suppressed?: number; suppressedBefore?: number }[] = []
afterEach(async () => {
  await gateway?.close()
  gateway = undefined
})
async function start(opts: Partial<Jt808Options> = {}): Promise<Jt808Gateway> {
  lines = []
  const log = Fastify({ logger: { level: 'info', stream: { write: (line: string) => void lines.push(JSON.parse(line)) } } }).log
  gateway = await startJt808Gateway(t.db, (positions, o) => t.app.vehicles.ingest(positions, o), log, { port: 0, host: '127.0.0.1', ...opts })
  return gateway
}
const real = async (g: Jt808Gateway, localAddress?: string) => {
  const term = new Jt808Terminal({ host: '127.0.0.1', port: g.port, phone: REAL, edition: 2013, authCode: code, replyTimeoutMs: 5000, localAddress })
  await term.connect()
  await term.login()
  return term
}
const registrationResult = (r: { body: Buffer } | null) => (r ? r.body[2] : null)

describe('JT/T 808 rate limits', () => {
  it('cuts off an enumeration storm on one connection: three refused IDs, then the connection is closed unanswered', async () => {
    const g = await start()
    const peer = await RawPeer.open(g.port)
    const results: (number | null)[] = []
    for (let i = 0; i < 20 && !peer.closed; i++) results.push(registrationResult(await peer.reply(MsgId.registrationResponse, peer.register(UNKNOWN(i)))))
    expect(results).toEqual([RegistrationResult.terminalUnknown, RegistrationResult.terminalUnknown, RegistrationResult.terminalUnknown, null])
    expect(await peer.whenClosed()).toBe(true)
  })

  it('cuts off a storm of many connections from one address, while other addresses and signed-in terminals go on', async () => {
    const g = await start({ addresses: { registrations: { burst: 40, perSecond: 0.01 }, failures: { burst: 10, perSecond: 0.01 } } })
    const answers: (number | null)[] = []
    for (let c = 0; c < 30; c++) {
      const peer = await RawPeer.open(g.port, '127.0.0.3')
      answers.push(registrationResult(await peer.reply(MsgId.registrationResponse, peer.register(UNKNOWN(100 + c)))))
      peer.close()
    }
    // the address's ten failures were answered (result 4); after that nothing is
    expect(answers.slice(0, 10)).toEqual(Array(10).fill(RegistrationResult.terminalUnknown))
    expect(answers.slice(10)).toEqual(Array(20).fill(null))
    // another address has its own budget
    const other = await RawPeer.open(g.port, '127.0.0.4')
    expect(registrationResult(await other.reply(MsgId.registrationResponse, other.register(UNKNOWN(999))))).toBe(RegistrationResult.terminalUnknown)
    other.close()
    // a terminal with its code signs in from the throttled address (NAT neighbours keep working) and reports
    const term = await real(g, '127.0.0.3')
    const time = new Date(Math.floor(Date.now() / 1000) * 1000 - 2000)
    expect((await term.report({ status: 1 << StatusBit.positioned, lat: 35.1, lon: 117.39, time })).result).toBe(PlatformResult.ok)
    term.close()
  })

  it('remembers a bounded number of addresses however many try', async () => {
    const g = await start({ addresses: { maxAddresses: 8 } })
    for (let a = 1; a <= 40; a++) {
      const peer = await RawPeer.open(g.port, `127.0.1.${a}`)
      expect(registrationResult(await peer.reply(MsgId.registrationResponse, peer.register(UNKNOWN(a))))).toBe(RegistrationResult.terminalUnknown)
      peer.close()
      expect(g.trackedAddresses()).toBeLessThanOrEqual(8)
    }
    expect(g.trackedAddresses()).toBe(8)
  })

  it('closes a connection that does not authenticate in time, and not one that did', async () => {
    const g = await start({ unauthenticated: { timeoutMs: 500 } })
    const stranger = await RawPeer.open(g.port)
    const term = await real(g)
    const opened = Date.now()
    expect(await stranger.whenClosed(3000)).toBe(true)
    expect(Date.now() - opened).toBeGreaterThanOrEqual(400)
    await new Promise((r) => setTimeout(r, 700))
    expect((await term.heartbeat()).result).toBe(PlatformResult.ok)
    expect(lines.some((l) => l.msg === 'jt808: closing connection' && /not authenticated within 0.5 s/.test(JSON.stringify(l)))).toBe(true)
    term.close()
  })

  it('holds a stranger to a few kB: small frames, no packets kept, a few messages in flight, 4 kB in all', async () => {
    const g = await start()
    // a 600-byte frame: dropped before authentication, answered after it
    const big = encodeMessage({ msgId: 0x0900, edition: 2013, phone: REAL, serial: 7 }, Buffer.alloc(600, 0x31))
    const stranger = await RawPeer.open(g.port)
    stranger.write(big)
    const hb = encodeMessage({ msgId: MsgId.heartbeat, edition: 2013, phone: REAL, serial: 8 }, Buffer.alloc(0))
    stranger.write(hb)
    expect((await stranger.reply(MsgId.platformResponse, 8))!.body[4]).toBe(PlatformResult.failure)
    expect(stranger.received.some((r) => r.body.readUInt16BE(0) === 7)).toBe(false)
    // a packet of a subpackaged message is answered "failure" and not kept
    const [packet] = encodeSubpackaged({ msgId: MsgId.batchLocation, edition: 2013, phone: REAL, serial: 20 }, Buffer.alloc(900, 1), 300)
    stranger.write(packet)
    expect((await stranger.reply(MsgId.platformResponse, 20))!.body[4]).toBe(PlatformResult.failure)
    stranger.close()

    const signedIn = await RawPeer.open(g.port)
    signedIn.write(encodeMessage({ msgId: MsgId.authentication, edition: 2013, phone: REAL, serial: 1 }, encodeAuthentication({ authCode: code }, 2013)))
    expect((await signedIn.reply(MsgId.platformResponse, 1))!.body[4]).toBe(PlatformResult.ok)
    signedIn.write(big)
    expect((await signedIn.reply(MsgId.platformResponse, 7))!.body[4]).toBe(PlatformResult.unsupported)
    signedIn.close()

    // ten messages at once before signing in: closed, none handled
    const pipelined = await RawPeer.open(g.port)
    pipelined.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => encodeMessage({ msgId: MsgId.heartbeat, edition: 2013, phone: REAL, serial: i }, Buffer.alloc(0)))))
    expect(await pipelined.whenClosed()).toBe(true)
    expect(pipelined.received).toHaveLength(0)

    // more than 4 kB without signing in: closed
    const flood = await RawPeer.open(g.port)
    for (let i = 0; i < 10 && !flood.closed; i++) {
      flood.write(Buffer.alloc(500, 0x41))
      await new Promise((r) => setTimeout(r, 10))
    }
    expect(await flood.whenClosed()).toBe(true)
    expect(lines.some((l) => /bytes sent without authenticating/.test(JSON.stringify(l)))).toBe(true)
  })
})

describe('JT/T 808 log', () => {
  it('rate-limits the lines garbage causes, per connection and overall, and counts what it held back', async () => {
    const g = await start({ log: { perConnection: { burst: 5, perSecond: 0.1 }, overall: { burst: 20, perSecond: 0.1 }, summaryEveryMs: 300 } })
    // a signed-in terminal sends 200 malformed frames (a good one every 40 keeps it open)
    const term = await real(g)
    const heartbeat = encodeHeader({ msgId: MsgId.heartbeat, edition: 2013, phone: REAL, serial: 900 }, 0)
    const bad = Buffer.from(encodeFrame(heartbeat))
    bad[bad.length - 2] ^= 0xff
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 40; i++) term.writeRaw(bad)
      expect((await term.heartbeat()).result).toBe(PlatformResult.ok)
    }
    const malformed = () => lines.filter((l) => l.msg === 'jt808: malformed frame dropped').length
    expect(malformed()).toBeLessThanOrEqual(6)
    // fifty strangers send junk at once: the overall budget holds
    const peers = await Promise.all(Array.from({ length: 50 }, () => RawPeer.open(g.port)))
    for (const p of peers) for (let i = 0; i < 20; i++) p.write(Buffer.from('\x7e\x01\x02\x03\x7e'))
    await Promise.all(peers.map((p) => p.whenClosed()))
    await new Promise((r) => setTimeout(r, 600))
    const total = lines.filter((l) => l.msg.startsWith('jt808:')).length
    expect(total).toBeLessThanOrEqual(30)
    const summaries = lines.filter((l) => l.suppressed !== undefined)
    expect(summaries.length).toBeGreaterThan(0)
    expect(summaries.reduce((n, l) => n + l.suppressed!, 0)).toBeGreaterThan(200)
    term.close()
    console.log(`log: ${total} lines for 200 malformed frames on one connection and 1,000 from 50 strangers; ${summaries.length} summaries counting ${summaries.reduce((n, l) => n + l.suppressed!, 0)} suppressed`)
  })
})
