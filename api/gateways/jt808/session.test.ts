// The session's ordering contract, over a real TCP connection, with the database replaced by a
// gate the test opens: what a connection left queued when it ended is not handled. (The
// gateway tests run the same session against the real database; a gate is the only way to hold
// a message mid-handling at a chosen moment.)
import { connect, createServer, type Server, type Socket } from 'node:net'
import Fastify from 'fastify'
import { afterEach, expect, it } from 'vitest'
import { encodeRegistration } from './terminal-codec.ts'
import { MAX_ESCAPED_FRAME } from './frame.ts'
import { encodeMessage } from './header.ts'
import { MsgId } from './ids.ts'
import { TerminalSession, type SessionContext } from './session.ts'
import { AddressLimiter } from './address-limiter.ts'
import { GatewayLog } from './log-throttle.ts'
import { SignInGuard } from './sign-in-guard.ts'

const PHONE = '013800000007'
const registration = (serial: number) => encodeMessage({ msgId: MsgId.registration, edition: 2013, phone: PHONE, serial },
  encodeRegistration({ province: 37, city: 1300, makerId: 'SZWG1', model: 'M', terminalId: 'T7', plateColor: 1, plate: '鲁Q00007' }, 2013))

let server: Server | undefined
afterEach(() => server?.close())

/** A gateway of one session whose binding lookups wait until the test opens the gate. */
async function gatedSession() {
  let open!: () => void
  const gate = new Promise<void>((r) => (open = r))
  const recorded: string[] = []
  const lookups: string[] = []
  const ctx: SessionContext = {
    findBinding: async (phone) => {
      lookups.push(phone)
      await gate
      return { phone, vehicleId: 7, crs: 'wgs84', authCode: recorded.at(-1) ?? null, signedIn: false, expected: { terminalId: 'T7', makerId: 'SZWG1', model: null, plate: '鲁Q00007' } }
    },
    register: async (_phone, code) => (recorded.push(code), true),
    confirmSignIn: async () => true,
    forgetAuthCode: async () => {},
    refused: () => {},
    ingest: async () => ({ accepted: 0, rejected: [] }),
    attach: () => {},
    detach: () => {},
    seen: () => {},
    storeMedia: async () => { throw new Error('not in this test') },
    alarms: () => null,
    limits: { maxFrameBytes: MAX_ESCAPED_FRAME, maxQueuedMessages: 64, maxUnreadReplyBytes: 256 * 1024, maxBadFramesInARow: 50 },
    unauthenticated: { maxFrameBytes: 512, maxQueuedMessages: 4, maxUnreadReplyBytes: 4096, maxBadFramesInARow: 5, maxBytes: 4096, timeoutMs: 30_000 },
  }
  const rate = { burst: 10, perSecond: 1 }
  const addresses = new AddressLimiter({ registrations: rate, failures: rate, maxAddresses: 10 })
  const log = new GatewayLog(Fastify({ logger: false }).log, { perConnection: rate, overall: rate, summaryEveryMs: 60_000 })
  let session!: TerminalSession
  const ended = new Promise<void>((resolve) => {
    server = createServer((socket: Socket) => {
      session = new TerminalSession(socket, ctx, new SignInGuard(addresses, '127.0.0.1', { registrations: rate, failures: rate }), log.connection())
      socket.on('error', () => {})
      socket.on('close', () => {
        session.ended()
        resolve()
      })
    })
  })
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()))
  const port = (server!.address() as { port: number }).port
  return { port, open, recorded, lookups, ended, session: () => session }
}

it('does not handle the messages a connection left queued when it ended', async () => {
  const g = await gatedSession()
  const client = connect({ host: '127.0.0.1', port: g.port })
  client.on('error', () => {})
  await new Promise<void>((r) => client.once('connect', () => r()))
  client.write(Buffer.concat([registration(1), registration(2), registration(3)]))
  // the first registration is being handled (waiting on the database) when the terminal goes
  while (g.lookups.length === 0) await new Promise((r) => setTimeout(r, 5))
  client.destroy()
  await g.ended
  g.open()
  await g.session().settled()
  // no auth code is issued for a connection that cannot receive it, and the two queued
  // registrations are never looked at: each would have voided the code the terminal has now
  expect(g.lookups).toEqual([PHONE])
  expect(g.recorded).toEqual([])
})

it('answers a registration while the connection is open', async () => {
  const g = await gatedSession()
  g.open()
  const client = connect({ host: '127.0.0.1', port: g.port })
  client.on('error', () => {})
  const reply = new Promise<Buffer>((r) => client.once('data', r))
  client.write(registration(1))
  expect((await reply)[0]).toBe(0x7e)
  expect(g.recorded).toHaveLength(1)
  client.destroy()
  await g.ended
})
