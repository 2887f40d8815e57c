// Fuzz of the JT/T 808 gateway: 100,000 seeded inputs (random bytes, and valid frames mutated
// with and without a repaired check code, so the mutations reach the header and body
// decoders), first through the decoders in-process, then over real TCP connections into the
// running gateway. Nothing may crash, every connection must end, and the gateway must still
// serve a well-behaved terminal afterwards. Then registration storms: strangers from many
// addresses register the real terminals' IDs (and authenticate with any code they get) and
// unknown IDs, while the real terminals report; no stranger gets a code, the storm is cut off
// by the rate limits, and every report of the real terminals is stored and answered.
import { connect } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Rng } from '../../../geo/random.ts'
import { openTestApp, type TestApp } from '../../test/app.ts'
import { Jt808Terminal, simulatedUnit } from './terminal-client.ts'
import {
  encodeAuthentication, encodeBatchLocation, encodeLocation, encodeLocationQueryResponse, encodeRegistration, encodeTerminalResponse,
} from './terminal-codec.ts'
import { encodeFrame, FrameError, FrameSplitter, unescape } from './frame.ts'
import { decodeFrame, encodeMessage, encodeSubpackaged, type Edition } from './header.ts'
import { MsgId } from './ids.ts'
import { StatusBit } from './location.ts'
import { decodeTerminalMessage, PlatformResult, RegistrationResult } from './messages.ts'
import { RawPeer } from './raw-peer.ts'

const INPUTS = 100_000
const CONNECTIONS = 200
/** signed-in terminals, one per truck (a second connection of one terminal replaces the first) */
const SIGNED_IN = 8
/** the trucks that report through the registration storm */
const REPORTING = [9, 10, 11, 12]
const editionOf = (vehicleId: number): Edition => (vehicleId % 2 ? 2019 : 2013)
const phoneOf = (vehicleId: number) => (editionOf(vehicleId) === 2019 ? `000000000138000000${String(vehicleId).padStart(2, '0')}` : `0138000000${String(vehicleId).padStart(2, '0')}`)

let t: TestApp
let port: number
beforeAll(async () => {
  t = await openTestApp({ jt808: { port: 0, host: '127.0.0.1', idleTimeoutMs: 20_000 } })
  port = t.app.jt808!.port
  for (const vehicleId of [...Array.from({ length: SIGNED_IN }, (_, i) => i + 1), ...REPORTING]) {
    const res = await t.as('admin', { method: 'POST', url: '/api/terminals', payload: { phone: phoneOf(vehicleId), vehicleId, protocol: 'jt808', ...simulatedUnit(phoneOf(vehicleId)) } })
    expect(res.statusCode).toBe(201)
  }
})
afterAll(async () => t?.close())

/** Valid frames of every kind the gateway reads, as the terminal of a truck sends them. */
function corpus(vehicleId: number): Buffer[] {
  const out: Buffer[] = []
  const loc = (s: number) => ({ status: 1 << StatusBit.positioned, lat: 35.1 + s * 1e-4, lon: 117.39, speedKmh: 30, direction: 90, time: new Date(Date.now() - s * 1000), extras: { mileageKm: 12.3, gnssSatellites: 9 } })
  {
    const edition = editionOf(vehicleId)
    const phone = phoneOf(vehicleId)
    let serial = 1
    const msg = (msgId: number, body: Buffer) => encodeMessage({ msgId, edition, phone, serial: serial++ }, body)
    out.push(msg(MsgId.registration, encodeRegistration({ province: 37, city: 1300, makerId: 'SZWG1', model: 'M', terminalId: 'T1', plateColor: 1, plate: '鲁Q12345' }, edition)))
    out.push(msg(MsgId.authentication, encodeAuthentication({ authCode: 'abc', imei: '860000000000001', softwareVersion: 'v1' }, edition)))
    out.push(msg(MsgId.heartbeat, Buffer.alloc(0)))
    out.push(msg(MsgId.locationReport, encodeLocation(loc(5))))
    out.push(msg(MsgId.batchLocation, encodeBatchLocation({ type: 1, locations: [loc(9), loc(8), loc(7)] })))
    out.push(msg(MsgId.locationQueryResponse, encodeLocationQueryResponse(3, loc(2))))
    out.push(msg(MsgId.terminalResponse, encodeTerminalResponse({ replySerial: 1, replyId: 0x8300, result: 0 })))
    out.push(msg(0x0900, Buffer.from('unknown message')))
    out.push(...encodeSubpackaged({ msgId: MsgId.batchLocation, edition, phone, serial: serial }, encodeBatchLocation({ type: 1, locations: Array.from({ length: 40 }, (_, i) => loc(100 + i)) }), 300))
  }
  return out
}

function mutate(rng: Rng, frame: Buffer, repairCheckCode: boolean): Buffer {
  // work on the unescaped content so a repaired check code makes a frame that decodes that far
  let content = Buffer.from(unescape(frame.subarray(1, frame.length - 1)).subarray(0, -1))
  const edits = rng.int(1, 4)
  for (let e = 0; e < edits; e++) {
    const at = rng.int(0, Math.max(0, content.length - 1))
    switch (rng.int(0, 5)) {
      case 0: content[at] ^= 1 << rng.int(0, 7); break
      case 1: content[at] = rng.int(0, 255); break
      case 2: content = Buffer.concat([content.subarray(0, at), content.subarray(at + rng.int(1, 8))]); break
      case 3: content = Buffer.concat([content.subarray(0, at), Buffer.from(Array.from({ length: rng.int(1, 8) }, () => rng.int(0, 255))), content.subarray(at)]); break
      case 4: content = content.subarray(0, at); break
      default: content[at] = rng.chance(0.5) ? 0x7e : 0x7d
    }
  }
  if (repairCheckCode && content.length) return encodeFrame(content)
  const raw = Buffer.from(frame)
  raw[rng.int(1, Math.max(1, raw.length - 2))] ^= 1 << rng.int(0, 7)
  return raw
}

function inputs(seed: number, count = INPUTS, vehicles = [1, 2]): Buffer[] {
  const rng = new Rng(seed)
  const valid = vehicles.flatMap(corpus)
  return Array.from({ length: count }, () => {
    const kind = rng.int(0, 9)
    if (kind === 0) return Buffer.from(Array.from({ length: rng.int(1, 300) }, () => rng.int(0, 255)))
    if (kind === 1) return Buffer.concat([Buffer.of(0x7e), Buffer.from(Array.from({ length: rng.int(0, 80) }, () => rng.int(0, 255))), Buffer.of(0x7e)])
    const frame = valid[rng.int(0, valid.length - 1)]
    if (kind === 2) return frame // some valid frames between the bad ones
    return mutate(rng, frame, kind >= 5)
  })
}

it('decoders reject every malformed input with a FrameError, nothing else', () => {
  const splitter = new FrameSplitter()
  let frames = 0
  let decoded = 0
  const others: string[] = []
  for (const input of inputs(808, INPUTS, [1, 2])) {
    for (const raw of splitter.push(input)) {
      frames++
      try {
        const { header, body } = decodeFrame(raw)
        if (header.packet) continue
        decodeTerminalMessage(header, body)
        decoded++
      } catch (err) {
        if (!(err instanceof FrameError)) others.push(`${(err as Error).name}: ${(err as Error).message}`)
      }
    }
  }
  expect(frames).toBeGreaterThan(INPUTS / 2)
  // the mutations with a repaired check code reach the body decoders
  expect(decoded).toBeGreaterThan(INPUTS / 20)
  expect(others).toEqual([])
})

it('the gateway survives 100,000 malformed and mutated inputs over TCP and leaks no connection', async () => {
  const count = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM vehicle_positions WHERE vehicle_id <= $1', [SIGNED_IN])).rows[0].n
  const before = await count()
  const per = INPUTS / CONNECTIONS
  const rng = new Rng(7)
  let closedByGateway = 0
  let total = 0
  // The signed-in terminals sign in before any input flows: the strangers' inputs include
  // registrations of the same terminal IDs, refused (result 3) once they have signed in.
  const signedIn = await Promise.all(Array.from({ length: SIGNED_IN }, async (_, c) => {
    const term = new Jt808Terminal({ host: '127.0.0.1', port, phone: phoneOf(c + 1), edition: editionOf(c + 1) })
    await term.connect()
    await term.login()
    return term
  }))
  const runs = Array.from({ length: CONNECTIONS }, (_, c) => (async () => {
    // the first connections are signed-in terminals, fed their own frames mutated, so the
    // mutations reach the ingest; the rest are strangers
    const vehicleId = c < SIGNED_IN ? c + 1 : 1 + (c % SIGNED_IN)
    const chunk = inputs(1000 + c, per, [vehicleId])
    total += chunk.length
    if (c < SIGNED_IN) {
      const term = signedIn[c]
      let closed = false
      term.onClose = () => (closed = true)
      for (const input of chunk) term.writeRaw(input)
      await new Promise((r) => setTimeout(r, 200))
      if (closed) closedByGateway++
      term.close()
      return
    }
    await new Promise<void>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port })
      socket.on('error', () => {})
      socket.on('close', () => resolve())
      socket.on('data', () => {})
      socket.once('connect', () => {
        // written in uneven pieces, as TCP delivers them
        const bytes = Buffer.concat(chunk)
        let at = 0
        while (at < bytes.length) {
          const n = rng.int(1, 4096)
          socket.write(bytes.subarray(at, at + n))
          at += n
        }
        setTimeout(() => socket.end(), 200)
        setTimeout(() => socket.destroy(), 3000)
      })
    })
  })())
  await Promise.all(runs)
  const end = Date.now() + 10_000
  while (t.app.jt808!.connections() > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50))
  expect(t.app.jt808!.connections()).toBe(0)

  expect(total).toBe(INPUTS)
  // the signed-in terminals' mutated reports reached the ingest, which stored what was valid
  const stored = (await count()) - before
  expect(stored).toBeGreaterThan(0)

  // still serving: a terminal signs in and its fix is stored. With the code it has (or, if a
  // mutated frame of its own was a logout, registering again), from an address the strangers'
  // failures have not used up.
  const term = new Jt808Terminal({ host: '127.0.0.1', port, phone: phoneOf(2), edition: 2013, authCode: signedIn[1].authCode, localAddress: '127.0.0.99' })
  await term.connect()
  await term.login()
  const time = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000)
  expect((await term.report({ status: 1 << StatusBit.positioned, lat: 35.11, lon: 117.41, speedKmh: 10, direction: 5, time })).result).toBe(PlatformResult.ok)
  const last = await t.db.query('SELECT 1 FROM vehicle_positions WHERE vehicle_id = 2 AND time = $1', [time.toISOString()])
  expect(last.rows).toHaveLength(1)
  term.close()
  console.log(`fuzz: ${total} inputs over ${CONNECTIONS} connections; ${stored} fixes from mutated reports stored; ${closedByGateway} signed-in connections closed by the gateway`)
}, 120_000)

it('registration storms from many addresses take no terminal over, and the real terminals report throughout', async () => {
  const STORM_MS = 4000
  const ADDRESSES = 20
  const LOOPS_PER_ADDRESS = 8
  const reporting = await Promise.all(REPORTING.map(async (vehicleId) => {
    // registering from an address of their own: the fuzz above used up 127.0.0.1's budgets
    const term = new Jt808Terminal({ host: '127.0.0.1', port, phone: phoneOf(vehicleId), edition: editionOf(vehicleId), localAddress: '127.0.0.98' })
    await term.connect()
    await term.login()
    return { vehicleId, term, closed: false, sent: [] as Date[], answers: new Map<number, number>() }
  }))
  for (const r of reporting) r.term.onClose = () => (r.closed = true)
  const stormEnds = Date.now() + STORM_MS
  const rng = new Rng(2026)
  const tally = { attempts: 0, codes: 0, takeovers: 0, refusedRegistered: 0, refusedUnknown: 0, cutOff: 0 }

  // the real terminals: a fix every 50 ms each, every one must be stored and answered 0
  const reports = reporting.map(async (r) => {
    const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000
    for (let k = 0; Date.now() < stormEnds; k++) {
      const time = new Date(base + k * 1000)
      r.sent.push(time)
      const { result } = await r.term.report({ status: 1 << StatusBit.positioned, lat: 35.1, lon: 117.39 + k * 1e-5, speedKmh: 20, direction: 90, time })
      r.answers.set(result, (r.answers.get(result) ?? 0) + 1)
      await new Promise((res) => setTimeout(res, 50))
    }
  })
  // the strangers: each loop connects, registers a real terminal's ID or an unknown one, and
  // signs in with whatever code it is given
  const loops = Array.from({ length: ADDRESSES * LOOPS_PER_ADDRESS }, (_, i) => (async () => {
    const address = `127.0.2.${1 + (i % ADDRESSES)}`
    while (Date.now() < stormEnds) {
      const peer = await RawPeer.open(port, address)
      while (!peer.closed && Date.now() < stormEnds) {
        const vehicleId = rng.chance(0.5) ? REPORTING[rng.int(0, REPORTING.length - 1)] : 0
        const phone = vehicleId ? phoneOf(vehicleId) : `0177${String(rng.int(0, 99_999_999)).padStart(8, '0')}`
        const edition = vehicleId ? editionOf(vehicleId) : 2013
        tally.attempts++
        const reply = await peer.reply(MsgId.registrationResponse, peer.register(phone, edition))
        if (!reply) tally.cutOff++
        else if (reply.body[2] === RegistrationResult.terminalAlreadyRegistered) tally.refusedRegistered++
        else if (reply.body[2] === RegistrationResult.terminalUnknown) tally.refusedUnknown++
        else if (reply.body[2] === RegistrationResult.ok) {
          tally.codes++
          const authCode = reply.body.subarray(3).toString('latin1')
          const serial = 60_000 + tally.codes
          peer.write(encodeMessage({ msgId: MsgId.authentication, edition, phone, serial }, encodeAuthentication({ authCode, imei: '860000000000009', softwareVersion: 'x' }, edition)))
          if ((await peer.reply(MsgId.platformResponse, serial))?.body[4] === PlatformResult.ok) tally.takeovers++
        }
      }
      peer.close()
    }
  })())
  await Promise.all([...reports, ...loops])

  expect(tally.codes).toBe(0)
  expect(tally.takeovers).toBe(0)
  // the storm was cut off: what was answered stays within the addresses' failure budgets
  // (100 each, then 1 a second), the rest of the attempts closed unanswered
  expect(tally.cutOff).toBeGreaterThan(0)
  expect(tally.refusedRegistered + tally.refusedUnknown).toBeLessThanOrEqual(ADDRESSES * (100 + STORM_MS / 1000 + 1))
  for (const r of reporting) {
    expect(r.closed).toBe(false)
    expect([...r.answers]).toEqual([[PlatformResult.ok, r.sent.length]])
    const stored = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM vehicle_positions WHERE vehicle_id = $1 AND time = ANY($2::timestamptz[])',
      [r.vehicleId, r.sent.map((d) => d.toISOString())])
    expect(stored.rows[0].n).toBe(r.sent.length)
    r.term.close()
  }
  const reportsSent = reporting.reduce((n, r) => n + r.sent.length, 0)
  console.log(`storm: ${tally.attempts} registrations from ${ADDRESSES} addresses in ${STORM_MS / 1000} s: ${tally.refusedRegistered} answered 3, ${tally.refusedUnknown} answered 4, ${tally.cutOff} cut off unanswered, ${tally.codes} codes; ${reportsSent} reports of ${REPORTING.length} real terminals all stored and answered 0`)
}, 120_000)
