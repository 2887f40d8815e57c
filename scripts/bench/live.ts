// Live fan-out: N simulated vehicles at 1 Hz into the ingest route, pushed to M socket.io
// clients subscribed to the whole town; delivered updates/s and ingest→client latency,
// against a bare socket.io server fed the same batches (the baseline), in one run.
import { fork } from 'node:child_process'
import { io, type Socket } from 'socket.io-client'
import pg from 'pg'
import { Agent } from 'undici'
import type { PositionInput, VehiclePosition } from '../../geo/vehicles.ts'
import { freePort } from '../pg/temp-cluster.ts'
import { startApiProcess } from './api-process.ts'
import { loadConfig } from '../../api/config.ts'
import { measuredWindow, percentile } from './load.ts'

const VEHICLES = Number(process.env.BENCH_VEHICLES || 2000)
const CLIENTS = Number(process.env.BENCH_CLIENTS || 50)
const SECONDS = Number(process.env.BENCH_SECONDS || 20)
const WARMUP_S = 5
/** the shipped default unless BENCH_TICK_MS asks for another */
const TICK_MS = process.env.BENCH_TICK_MS || String(loadConfig({}).vehicles.tickMs)
/** fixes go out in this many batches a second, as a handful of gateways would send them */
const BATCHES_PER_S = 10

interface Result {
  delivered: number
  perSecond: number
  p50: number
  p99: number
  generated: number
  failed: number
}

async function run(target: { origin: string; ingestToken: string; clientToken: string; subscribe: boolean }): Promise<Result> {
  const sockets: Socket[] = []
  let measuring = false
  let delivered = 0
  const latencies: number[] = []
  for (let i = 0; i < CLIENTS; i++) {
    const s = io(target.origin, { auth: { token: target.clientToken }, transports: ['websocket'], forceNew: true })
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve())
      s.once('connect_error', reject)
    })
    if (target.subscribe) await s.emitWithAck('subscribe', { scope: 'town' })
    s.on('positions', (batch: VehiclePosition[]) => {
      if (!measuring) return
      const now = Date.now()
      delivered += batch.length
      // every 25th fix is enough for the percentiles and keeps the sample small
      for (let k = 0; k < batch.length; k += 25) latencies.push(now - Date.parse(batch[k].time))
    })
    sockets.push(s)
  }

  const dispatcher = new Agent({ connections: 8 })
  const perBatch = Math.ceil(VEHICLES / BATCHES_PER_S)
  let generated = 0
  let failed = 0
  let slot = 0
  const send = async () => {
    const first = (slot % BATCHES_PER_S) * perBatch
    slot++
    const now = new Date().toISOString()
    const positions: PositionInput[] = []
    for (let v = first; v < Math.min(first + perBatch, VEHICLES); v++) {
      const a = (v * 2.399963) % (2 * Math.PI)
      positions.push({ vehicleId: v + 1, time: now, lon: 117.4 + 0.05 * Math.cos(a + slot / 500), lat: 35.1 + 0.04 * Math.sin(a + slot / 500), speedKmh: 30, heading: 90 })
    }
    try {
      const res = await fetch(`${target.origin}/api/vehicles/positions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${target.ingestToken}` },
        body: JSON.stringify({ positions }),
        dispatcher,
      } as RequestInit)
      await res.arrayBuffer()
      if (res.status !== 202) failed += positions.length
      else if (measuring) generated += positions.length
    } catch {
      failed += positions.length
    }
  }
  const timer = setInterval(() => void send(), 1000 / BATCHES_PER_S)
  const elapsed = await measuredWindow(WARMUP_S, SECONDS, (on) => (measuring = on))
  clearInterval(timer)
  for (const s of sockets) s.close()
  await dispatcher.close()
  latencies.sort((a, b) => a - b)
  return { delivered, perSecond: delivered / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), generated, failed }
}

const show = (r: Result) =>
  `${Math.round(r.perSecond).toLocaleString('en')} updates/s delivered (${r.delivered.toLocaleString('en')} in total; ${r.generated.toLocaleString('en')} fixes sent, ${r.failed} failed), latency p50 ${r.p50} ms, p99 ${r.p99} ms`

export async function benchLive(databaseUrl: string): Promise<void> {
  console.log(`live: ${VEHICLES} vehicles at 1 Hz (${BATCHES_PER_S} batches/s), ${CLIENTS} socket.io clients on the whole town, ${SECONDS} s after ${WARMUP_S} s warm-up`)
  // baseline first: a bare socket.io server in its own process
  const port = await freePort()
  const bare = fork(new URL('./bare-socket.ts', import.meta.url).pathname, [], { env: { ...process.env, PORT: String(port) }, execArgv: ['--import', 'tsx'] })
  await new Promise<void>((resolve) => bare.once('message', () => resolve()))
  const base = await run({ origin: `http://127.0.0.1:${port}`, ingestToken: 'none', clientToken: 'none', subscribe: false })
  bare.kill()
  console.log(`  bare socket.io server (baseline):  ${show(base)}`)

  const api = await startApiProcess({ DATABASE_URL: databaseUrl, VEHICLE_TICK_MS: TICK_MS, VEHICLE_OFFLINE_SECONDS: '3600' })
  // the county's fleet: extra vehicles beyond the township's twelve
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 })
  await pool.query(
    `INSERT INTO vehicles (id, plate, kind, name, driver_name)
     SELECT i, '鲁Q·B' || lpad(i::text, 5, '0'), 'garbageTruck', i || '号清运车', '测试'
     FROM generate_series(1, $1::int) i ON CONFLICT (id) DO NOTHING`,
    [VEHICLES],
  )
  await pool.end()
  const device = await api.login('device')
  const ours = await run({ origin: api.origin, ingestToken: device, clientToken: api.token, subscribe: true })
  await api.stop()
  console.log(`  API (ingest → PostGIS → NOTIFY → tick ${TICK_MS} ms → clients): ${show(ours)}`)
  console.log(`  ratio API/bare throughput:          ${(ours.perSecond / base.perSecond).toFixed(2)}  (target ≥ 0.70)`)
  console.log(`  API p99 latency:                    ${ours.p99} ms  (target < 250 ms)`)
}
