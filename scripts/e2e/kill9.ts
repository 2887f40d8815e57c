// `npm run kill9`: durability of the ingest. A device posts batches as fast as the API
// answers; the API is killed with SIGKILL mid-stream and started again on the same data;
// every fix that was answered 202 must be in the stored track. Runs on the embedded
// database, or on PostgreSQL when DATABASE_URL names an empty database.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { apiLogin, startSystem } from './harness.ts'

const VEHICLES = 12
const BATCH = 50
const IN_FLIGHT = 4
const RUN_MS = Number(process.env.KILL9_AFTER_MS || 6000)

const dataDir = mkdtempSync(join(tmpdir(), 'shuzhi-kill9-'))
// a real first start (initdb, migrations, fixtures), not the test runs' cached seed: the e2e and soak use that
const env = { DATA_DIR: dataDir, PGLITE_SEED: '0' }
let exitCode = 1
try {
  const first = await startSystem(env)
  const device = await apiLogin(first.origin, 'device')
  const base = Date.now() - 10 * 60_000
  const acked: { vehicleId: number; time: number }[] = []
  let seq = 0
  let sent = 0
  let errors = 0
  let killed = false
  const sender = async () => {
    while (!killed) {
      const positions = Array.from({ length: BATCH }, () => {
        const n = seq++
        return { vehicleId: (n % VEHICLES) + 1, time: new Date(base + n).toISOString(), lon: 117.39 + (n % 100) * 1e-5, lat: 35.1, speedKmh: 20, heading: 0 }
      })
      sent += positions.length
      try {
        const res = await fetch(`${first.origin}/api/vehicles/positions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${device}` },
          body: JSON.stringify({ positions }),
        })
        if (res.status === 202) for (const p of positions) acked.push({ vehicleId: p.vehicleId, time: Date.parse(p.time) })
      } catch {
        errors++ // the kill cut this request off: no answer, no promise made
      }
    }
  }
  const senders = Array.from({ length: IN_FLIGHT }, () => sender())
  await new Promise((r) => setTimeout(r, RUN_MS))
  await first.kill9()
  killed = true
  await Promise.all(senders)
  console.log(`kill9: ${sent} fixes sent in ${RUN_MS / 1000} s, ${acked.length} answered 202, then SIGKILL (${errors} requests cut off)`)

  const second = await startSystem(env)
  try {
    const dispatcher = await apiLogin(second.origin, 'dispatcher')
    const from = new Date(base - 1000).toISOString()
    const to = new Date(base + seq + 1000).toISOString()
    const stored = new Set<string>()
    for (let v = 1; v <= VEHICLES; v++) {
      const res = await fetch(`${second.origin}/api/vehicles/${v}/track?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, {
        headers: { authorization: `Bearer ${dispatcher}` },
      })
      const track = (await res.json()) as { properties: { times: number[] } }
      for (const t of track.properties.times) stored.add(`${v}:${t}`)
    }
    const lost = acked.filter((a) => !stored.has(`${a.vehicleId}:${a.time}`))
    console.log(`kill9: after restart ${stored.size} fixes stored; of the ${acked.length} answered 202, lost ${lost.length}`)
    exitCode = lost.length === 0 && acked.length > 0 ? 0 : 1
  } finally {
    await second.stop()
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true })
}
process.exit(exitCode)
