// JT/T 808 gateway: 5,000 terminals on their own TCP connections (loopback) report positions
// as fast as the platform answers them (each waits for its 0x8001 before the next), and the
// same closed loop through the HTTP ingest route (one fix per request, as a terminal without a
// gateway would have to), in one run against one API process on real PostGIS.
import { Agent } from 'undici'
import { demoEdition, demoTerminalPhone } from '../../api/terminals/demo.ts'
import { StatusBit } from '../../api/gateways/jt808/location.ts'
import { PlatformResult } from '../../api/gateways/jt808/messages.ts'
import { Jt808Terminal } from '../../api/gateways/jt808/terminal-client.ts'
import { startApiProcess } from './api-process.ts'
import { seedBenchTerminals } from './jt808-seed.ts'
import { measuredWindow, percentile } from './load.ts'

const TERMINALS = Number(process.env.BENCH_TERMINALS || 5000)
const SECONDS = Number(process.env.BENCH_SECONDS || 20)
const WARMUP_S = 5
const POSITIONED = 1 << StatusBit.positioned

interface Result {
  messages: number
  perSecond: number
  p50: number
  p99: number
  failed: number
}

/** Runs `clients` closed loops for warm-up + SECONDS; each loop's `once(i, k)` is one message. */
async function closedLoop(clients: number, once: (client: number, k: number) => Promise<boolean>): Promise<Result> {
  let measuring = false
  let stop = false
  let messages = 0
  let failed = 0
  const latencies: number[] = []
  const loops = Array.from({ length: clients }, async (_, i) => {
    for (let k = 0; !stop; k++) {
      const t0 = performance.now()
      const ok = await once(i, k).catch(() => false)
      if (!measuring) continue
      if (!ok) failed++
      else {
        messages++
        if (messages % 10 === 0) latencies.push(performance.now() - t0)
      }
    }
  })
  const elapsed = await measuredWindow(WARMUP_S, SECONDS, (on) => (measuring = on))
  stop = true
  await Promise.all(loops)
  latencies.sort((a, b) => a - b)
  return { messages, perSecond: messages / elapsed, p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)), failed }
}

const show = (r: Result) =>
  `${Math.round(r.perSecond).toLocaleString('en')} messages/s stored and answered (${r.messages.toLocaleString('en')}, ${r.failed} failed), answer p50 ${r.p50} ms, p99 ${r.p99} ms`

export async function benchJt808(databaseUrl: string): Promise<void> {
  console.log(`jt808: ${TERMINALS} terminals, each reporting as fast as it is answered, ${SECONDS} s after ${WARMUP_S} s warm-up`)
  // fixes an hour old, one second apart per terminal: all in the past, none a duplicate
  const api = await startApiProcess({ DATABASE_URL: databaseUrl, VEHICLE_OFFLINE_SECONDS: '86400' })
  const codePrefix = await seedBenchTerminals(databaseUrl, TERMINALS)
  const codeOf = (v: number) => `${codePrefix}${v}`
  const ids = Array.from({ length: TERMINALS }, (_, i) => i + 1)
  const start = Math.floor(Date.now() / 1000) - 3600
  const fixAt = (vehicleId: number, k: number) => ({
    time: new Date((start + k) * 1000), lon: 117.4 + 0.05 * Math.cos(vehicleId + k / 100), lat: 35.1 + 0.04 * Math.sin(vehicleId + k / 100),
  })

  const terminals: Jt808Terminal[] = []
  const connectStarted = performance.now()
  for (let i = 0; i < TERMINALS; i += 250) {
    await Promise.all(ids.slice(i, i + 250).map(async (v) => {
      const term = new Jt808Terminal({
        host: '127.0.0.1', port: api.jt808Port, phone: demoTerminalPhone(v, demoEdition(v)), edition: demoEdition(v), replyTimeoutMs: 60_000, authCode: codeOf(v),
      })
      await term.connect()
      await term.login()
      terminals[v - 1] = term
    }))
  }
  console.log(`  ${TERMINALS} terminals connected and authenticated in ${((performance.now() - connectStarted) / 1000).toFixed(1)} s`)
  const gateway = await closedLoop(TERMINALS, async (i, k) => {
    const { time, lon, lat } = fixAt(i + 1, k)
    const r = await terminals[i].report({ status: POSITIONED, lat, lon, speedKmh: 30, direction: 90, time, extras: { gnssSatellites: 10 } })
    return r.result === PlatformResult.ok
  })
  for (const term of terminals) term.close()
  console.log(`  JT/T 808 gateway (TCP, 0x0200 → ingest → 0x8001):  ${show(gateway)}`)

  // the same closed loop over HTTP, one fix per request; times continue after the gateway's
  const device = await api.login('device')
  const dispatcher = new Agent({ connections: 512, pipelining: 1 })
  const offset = 1800
  const http = await closedLoop(TERMINALS, async (i, k) => {
    const { time, lon, lat } = fixAt(i + 1, offset + k)
    const res = await fetch(`${api.origin}/api/vehicles/positions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${device}` },
      body: JSON.stringify({ positions: [{ vehicleId: i + 1, time: time.toISOString(), lon, lat, speedKmh: 30, heading: 90 }] }),
      dispatcher,
    } as RequestInit)
    await res.arrayBuffer()
    return res.status === 202
  })
  await dispatcher.close()
  await api.stop()
  console.log(`  HTTP ingest (one fix per POST, 512 connections):     ${show(http)}`)
  console.log(`  ratio JT/T 808 / HTTP messages/s:                   ${(gateway.perSecond / http.perSecond).toFixed(2)}`)
}
