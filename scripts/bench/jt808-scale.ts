// JT/T 808 at city scale: 50,000 terminals on loopback, each on its own TCP connection from one
// of several 127.x addresses, reporting every 30 s with a heartbeat in between, against API
// processes on one PostgreSQL. One process holds at most RLIMIT_NOFILE sockets; when the hard
// limit cannot be raised that far, the terminals are spread over the fewest API processes that
// fit (the documented scale-out: processes share the database, and commands reach a terminal
// through whichever holds it), and driven from as many client processes.
import { fork, type ChildProcess } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import pg from 'pg'
import { startApiProcess } from './api-process.ts'
import { openFds, raiseFdLimit, rssOf } from './fd-limit.ts'
import { seedBenchTerminals } from './jt808-seed.ts'
import type { ClientShare, FromClient, ToClient } from './jt808-scale-client.ts'
import { percentile } from './load.ts'

const TOTAL = Number(process.env.BENCH_SCALE_TERMINALS || 50_000)
const SECONDS = Number(process.env.BENCH_SCALE_SECONDS || 60)
const INTERVAL_MS = 30_000
/** descriptors a process needs besides its terminals: database pool, listeners, stdio, files */
const RESERVE_FDS = 2_000
/** an address has ~28,000 ephemeral ports; a NAT'ed carrier address has a few thousand trucks */
const PER_ADDRESS = 5_000
const CLIENT = new URL('./jt808-scale-client.ts', import.meta.url).pathname

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)

class Client {
  private readonly waiters = new Map<FromClient['kind'], (m: FromClient) => void>()
  constructor(readonly child: ChildProcess) {
    child.on('message', (m: FromClient) => this.waiters.get(m.kind)?.(m))
  }
  ask<K extends FromClient['kind']>(m: ToClient, answer: K): Promise<Extract<FromClient, { kind: K }>> {
    const got = new Promise<Extract<FromClient, { kind: K }>>((resolve, reject) => {
      this.waiters.set(answer, resolve as (m: FromClient) => void)
      this.child.once('exit', (code) => reject(new Error(`bench client exited with ${code}`)))
    })
    this.child.send(m)
    return got
  }
  tell(m: ToClient): void {
    this.child.send(m)
  }
}

export async function benchJt808Scale(databaseUrl: string): Promise<void> {
  const limit = raiseFdLimit(TOTAL + RESERVE_FDS)
  // BENCH_SCALE_PER_PROCESS tries the spread layout with fewer terminals
  const perProcess = Math.min(TOTAL, Number(process.env.BENCH_SCALE_PER_PROCESS) || limit.hard - RESERVE_FDS)
  const processes = Math.ceil(TOTAL / perProcess)
  const addresses = Array.from({ length: Math.ceil(TOTAL / PER_ADDRESS) }, (_, i) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`)
  console.log(`jt808 scale: ${TOTAL.toLocaleString('en')} terminals, each reporting every ${INTERVAL_MS / 1000} s with a heartbeat in between, ${SECONDS} s measured, from ${addresses.length} addresses (${addresses[0]}…${addresses.at(-1)})`)
  console.log(
    `  file descriptors: soft ${limit.soft}, hard ${limit.hard}${limit.refused ? ` (raising the hard limit to ${TOTAL + RESERVE_FDS} refused: ${limit.refused})` : ''}` +
    ` → ${processes === 1 ? 'one API process' : `${processes} API processes of ≤ ${Math.ceil(TOTAL / processes).toLocaleString('en')} connections on one PostgreSQL`}` +
    ` and ${processes} client process${processes > 1 ? 'es' : ''}, ${RESERVE_FDS} descriptors kept per process for the rest; ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)}`,
  )
  // the first process makes the schema of a new database; the terminals are bound before the others start
  const apiEnv = { DATABASE_URL: databaseUrl, VEHICLE_OFFLINE_SECONDS: '86400' }
  const apis = [await startApiProcess(apiEnv)]
  const codePrefix = await seedBenchTerminals(databaseUrl, TOTAL, true)
  for (let i = 1; i < processes; i++) apis.push(await startApiProcess(apiEnv))
  const clients: Client[] = []
  try {
    const idle = apis.map((a) => rssOf(a.pid))
    const shares: ClientShare[] = apis.map((a, i) => ({
      port: a.jt808Port, from: 1 + Math.floor((i * TOTAL) / processes), to: Math.floor(((i + 1) * TOTAL) / processes), addresses, codePrefix,
    }))
    for (let i = 0; i < processes; i++) {
      clients.push(new Client(fork(CLIENT, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })))
    }
    const t0 = performance.now()
    const connected = await Promise.all(clients.map((c, i) => c.ask({ kind: 'connect', share: shares[i] }, 'connected')))
    const connectS = (performance.now() - t0) / 1000
    const n = sum(connected.map((c) => c.connected))
    const failed = sum(connected.map((c) => c.failed))
    console.log(`  ${n.toLocaleString('en')} terminals connected and authenticated (with codes they used before, as after a restart of the platform) in ${connectS.toFixed(1)} s (${Math.round(n / connectS).toLocaleString('en')}/s)${failed ? `, ${failed} failed: ${connected.find((c) => c.firstError)?.firstError}` : ''}`)

    const startAt = Date.now() + 1000
    clients.forEach((c) => c.tell({ kind: 'run', startAt, seconds: SECONDS, intervalMs: INTERVAL_MS }))
    // the API's memory while every terminal is connected and reporting, at its highest
    const peak = apis.map(() => 0)
    const fds = apis.map(() => 0)
    const until = startAt + SECONDS * 1000
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, Math.min(5000, Math.max(0, until - Date.now()))))
      apis.forEach((a, i) => {
        peak[i] = Math.max(peak[i], rssOf(a.pid))
        fds[i] = Math.max(fds[i], openFds(a.pid))
      })
    }
    const reports = await Promise.all(clients.map((c) => c.ask({ kind: 'report' }, 'report')))
    const fixLat = reports.flatMap((r) => r.fixLatencies).sort((a, b) => a - b)
    const beatLat = reports.flatMap((r) => r.beatLatencies).sort((a, b) => a - b)
    const t = (k: keyof (typeof reports)[number]) => sum(reports.map((r) => r[k] as number))
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 })
    const rows = (await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM vehicle_positions WHERE vehicle_id BETWEEN 1 AND $1 AND time >= $2',
      [TOTAL, new Date(Math.floor(startAt / 1000) * 1000)],
    )).rows[0].n
    // every fix a terminal was told is stored must be in the table
    const missing = (await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM unnest($1::int[], $2::float8[]) AS a(vehicle_id, s)
        WHERE NOT EXISTS (SELECT 1 FROM vehicle_positions p WHERE p.vehicle_id = a.vehicle_id AND p.time = to_timestamp(a.s))`,
      [reports.flatMap((r) => r.storedVehicles), reports.flatMap((r) => r.storedSeconds)],
    )).rows[0].n
    await pool.end()
    const [load1] = loadavg()
    console.log(`  fixes: ${t('fixesSent').toLocaleString('en')} sent, ${t('fixesStored').toLocaleString('en')} answered "stored" → lost ${missing}; ${t('fixesFailed').toLocaleString('en')} not answered within 60 s or refused (a terminal resends those); ${rows.toLocaleString('en')} rows stored in all`)
    console.log(`  answer to 0x0200 (stored, then 0x8001): p50 ${percentile(fixLat, 50).toFixed(0)} ms, p99 ${percentile(fixLat, 99).toFixed(0)} ms; heartbeats: ${t('heartbeats').toLocaleString('en')} sent, ${t('heartbeatsFailed')} failed, p50 ${percentile(beatLat, 50).toFixed(0)} ms, p99 ${percentile(beatLat, 99).toFixed(0)} ms; ${t('closed')} connections dropped`)
    console.log(`  machine: ${cpus().length} cores, load average ${load1.toFixed(1)} at the end${t('fixesFailed') ? ' — answers later than the reporting interval mean the machine (APIs, clients and PostgreSQL together) did not keep up' : ''}`)
    const per10k = sum(peak) / (n / 10_000)
    const grown = (sum(peak) - sum(idle)) / (n / 10_000)
    console.log(`  API RSS: ${apis.map((_, i) => `${mb(idle[i])} idle → ${mb(peak[i])} with ${shares[i].to - shares[i].from + 1} terminals (${fds[i]} fds)`).join('; ')}`)
    console.log(`  API RSS per 10,000 connections: ${mb(per10k)} in all, ${mb(grown)} above the idle processes`)
  } finally {
    for (const c of clients) c.tell({ kind: 'exit' })
    for (const a of apis) await a.stop()
  }
}
