// One load-generating child of the 50,000-terminal bench (jt808-scale.ts): a share of the
// terminals, each on its own TCP connection from one of several 127.x addresses, signing in
// and then reporting every 30 s with a heartbeat half-way between, as trucks on the road do.
// Talks to its parent over IPC; its own file-descriptor limit bounds how many it may hold.
import { demoEdition, demoTerminalPhone } from '../../api/terminals/demo.ts'
import { StatusBit } from '../../api/gateways/jt808/location.ts'
import { PlatformResult } from '../../api/gateways/jt808/messages.ts'
import { Jt808Terminal } from '../../api/gateways/jt808/terminal-client.ts'

export interface ClientShare {
  port: number
  /** vehicle ids this child drives, [from, to] */
  from: number
  to: number
  /** source addresses, a terminal takes addresses[vehicleId % length] */
  addresses: string[]
  codePrefix: string
}

export type ToClient =
  | { kind: 'connect'; share: ClientShare }
  | { kind: 'run'; startAt: number; seconds: number; intervalMs: number }
  | { kind: 'report' }
  | { kind: 'exit' }

export type FromClient =
  | { kind: 'connected'; ms: number; connected: number; failed: number; firstError: string | null }
  | {
    kind: 'report'; fixesSent: number; fixesStored: number; fixesFailed: number; heartbeats: number; heartbeatsFailed: number
    fixLatencies: number[]; beatLatencies: number[]; closed: number
    /** the fixes answered "stored", as vehicle id and epoch second: each must be in the table */
    storedVehicles: number[]; storedSeconds: number[]
  }

const POSITIONED = 1 << StatusBit.positioned
const send = (m: FromClient) => process.send!(m)

let share: ClientShare
/** in the order they signed in, each with its truck */
const terminals: { term: Jt808Terminal; v: number }[] = []
const timers: NodeJS.Timeout[] = []
const inFlight = new Set<Promise<void>>()
const tally = { fixesSent: 0, fixesStored: 0, fixesFailed: 0, heartbeats: 0, heartbeatsFailed: 0, closed: 0 }
const fixLatencies: number[] = []
const beatLatencies: number[] = []
const storedVehicles: number[] = []
const storedSeconds: number[] = []

async function connectAll(): Promise<void> {
  const started = performance.now()
  let failed = 0
  let firstError: string | null = null
  const ids = Array.from({ length: share.to - share.from + 1 }, (_, i) => share.from + i)
  // 200 sign-ins at a time per child: a real fleet reconnecting after an outage is spread out too
  for (let i = 0; i < ids.length; i += 200) {
    await Promise.all(ids.slice(i, i + 200).map(async (v) => {
      const term = new Jt808Terminal({
        host: '127.0.0.1', port: share.port, phone: demoTerminalPhone(v, demoEdition(v)), edition: demoEdition(v),
        replyTimeoutMs: 60_000, authCode: `${share.codePrefix}${v}`, localAddress: share.addresses[v % share.addresses.length],
      })
      try {
        await term.connect()
        await term.login()
        term.onClose = () => void tally.closed++
        terminals.push({ term, v })
      } catch (err) {
        failed++
        firstError ??= (err as Error).message
        term.close()
      }
    }))
  }
  send({ kind: 'connected', ms: performance.now() - started, connected: terminals.length, failed, firstError })
}

const track = (p: Promise<void>) => {
  inFlight.add(p)
  void p.finally(() => inFlight.delete(p))
}

function fix(term: Jt808Terminal, v: number, at: number): void {
  const k = at / 30_000
  tally.fixesSent++
  const t0 = performance.now()
  const second = Math.floor(at / 1000)
  track(term.report({
    status: POSITIONED, lat: 35.1 + 0.04 * Math.sin(v + k / 10), lon: 117.4 + 0.05 * Math.cos(v + k / 10), speedKmh: 30, direction: 90,
    time: new Date(second * 1000), extras: { gnssSatellites: 10 },
  }).then((r) => {
    if (r.result === PlatformResult.ok) {
      tally.fixesStored++
      storedVehicles.push(v)
      storedSeconds.push(second)
      fixLatencies.push(performance.now() - t0)
    } else tally.fixesFailed++
  }, () => void tally.fixesFailed++))
}

function beat(term: Jt808Terminal): void {
  tally.heartbeats++
  const t0 = performance.now()
  track(term.heartbeat().then((r) => {
    if (r.result === PlatformResult.ok) beatLatencies.push(performance.now() - t0)
    else tally.heartbeatsFailed++
  }, () => void tally.heartbeatsFailed++))
}

/**
 * Each terminal reports at its own phase of the interval (spread evenly, as trucks switched on
 * at different times are) from startAt until startAt + seconds; one timer per terminal, as a
 * terminal has its own clock.
 */
function run(startAt: number, seconds: number, intervalMs: number): void {
  const end = startAt + seconds * 1000
  terminals.forEach(({ term, v }, i) => {
    const phase = (i * intervalMs) / terminals.length
    const tick = (at: number, heartbeat: boolean) => {
      if (at >= end) return
      timers.push(setTimeout(() => {
        if (heartbeat) beat(term)
        else fix(term, v, at)
        tick(at + intervalMs / 2, !heartbeat)
      }, Math.max(0, at - Date.now())))
    }
    tick(startAt + phase, false)
  })
}

process.on('message', async (m: ToClient) => {
  if (m.kind === 'connect') {
    share = m.share
    await connectAll()
  } else if (m.kind === 'run') run(m.startAt, m.seconds, m.intervalMs)
  else if (m.kind === 'report') {
    while (inFlight.size) await Promise.all([...inFlight])
    send({ kind: 'report', ...tally, fixLatencies, beatLatencies, storedVehicles, storedSeconds })
  } else {
    for (const t of timers) clearTimeout(t)
    for (const { term } of terminals) term.close()
    process.exit(0)
  }
})
