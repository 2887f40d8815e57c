// `npm run scaleout` (needs DATABASE_URL naming an empty PostGIS database and REDIS_URL a
// Redis server): two API processes sharing PostgreSQL and Redis. A fix ingested by one reaches
// a socket client of the other, an alert both could raise is raised once and announced once
// to every client, and a logout on one closes the user's sockets on the other at once.
import { io, type Socket } from 'socket.io-client'
import pg from 'pg'
import type { VehicleAlert, VehiclePosition } from '../../geo/vehicles.ts'
import { apiLogin, startSystem, Tally } from './harness.ts'

const url = process.env.DATABASE_URL
if (!url) throw new Error('DATABASE_URL must name an empty PostGIS database')
const redisUrl = process.env.REDIS_URL
if (!redisUrl) throw new Error('REDIS_URL must name a Redis server: the two processes share socket.io rooms through it')
const tally = new Tally()
const env = { DATABASE_URL: url, REDIS_URL: redisUrl, VEHICLE_OFFLINE_SECONDS: '10', VEHICLE_TICK_MS: '100' }
const a = await startSystem(env)
const b = await startSystem(env)
const sockets: Socket[] = []
try {
  const listen = async (origin: string) => {
    const socket = io(origin, { auth: { token: await apiLogin(origin, 'dispatcher') }, transports: ['websocket'] })
    sockets.push(socket)
    const got = { positions: [] as VehiclePosition[], alerts: [] as VehicleAlert[] }
    socket.on('positions', (batch: VehiclePosition[]) => got.positions.push(...batch))
    socket.on('alerts', (list: VehicleAlert[]) => got.alerts.push(...list))
    await new Promise<void>((r) => socket.once('hello', () => r()))
    await socket.emitWithAck('subscribe', { scope: 'town' })
    return got
  }
  const onA = await listen(a.origin)
  const onB = await listen(b.origin)
  const post = async (origin: string, positions: object[]) => {
    const res = await fetch(`${origin}/api/vehicles/positions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await apiLogin(origin, 'device')}` },
      body: JSON.stringify({ positions }),
    })
    if (res.status !== 202) throw new Error(`ingest: HTTP ${res.status} ${await res.text()}`)
  }
  const until = async (pred: () => boolean, ms = 15_000) => {
    const end = Date.now() + ms
    while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 25))
    return pred()
  }
  const fix = (vehicleId: number, secondsAgo: number, speedKmh = 25) => ({
    vehicleId, time: new Date(Date.now() - secondsAgo * 1000).toISOString(), lon: 117.39, lat: 35.1, speedKmh, heading: 90,
  })

  const sentAt = Date.now()
  await post(a.origin, [fix(1, 1)])
  const crossed = await until(() => onB.positions.some((p) => p.vehicleId === 1))
  tally.check('a fix ingested on process A reaches a socket client of process B', crossed, `${Date.now() - sentAt} ms`)

  // both processes see the truck speeding, at the same moment
  await Promise.all([post(a.origin, [fix(2, 3, 90)]), post(b.origin, [fix(2, 2, 95)])])
  await until(() => onA.alerts.some((x) => x.vehicleId === 2) && onB.alerts.some((x) => x.vehicleId === 2))
  await new Promise((r) => setTimeout(r, 1000))
  const pool = new pg.Pool({ connectionString: url, max: 1 })
  const rows = async (vehicleId: number, kind: string) =>
    (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM vehicle_alerts WHERE vehicle_id = $1 AND kind = $2', [vehicleId, kind])).rows[0].n
  tally.check('an overspeed both processes judge is stored once', (await rows(2, 'overspeed')) === 1, `${await rows(2, 'overspeed')} rows`)
  const raisedOn = (got: typeof onA) => got.alerts.filter((x) => x.vehicleId === 2 && x.kind === 'overspeed' && x.endedAt === null).length
  tally.check('…and announced once to each client', raisedOn(onA) === 1 && raisedOn(onB) === 1, `A ${raisedOn(onA)}, B ${raisedOn(onB)}`)

  // a truck that goes silent: both processes' offline checks find it, one alert is raised
  await post(b.origin, [fix(3, 30)])
  const offline = await until(() => onA.alerts.some((x) => x.vehicleId === 3 && x.kind === 'offline'), 30_000)
  await new Promise((r) => setTimeout(r, 11_000)) // one more round of both checkers
  tally.check('an offline truck raises one alert across two processes', offline && (await rows(3, 'offline')) === 1, `${await rows(3, 'offline')} rows`)
  await pool.end()

  // Without Redis, B would notice the revoked token only after its session cache (10 s) and
  // socket recheck (30 s); through the shared rooms the logout on A reaches B's socket at once.
  const token = await apiLogin(b.origin, 'leader')
  const onlyB = io(b.origin, { auth: { token }, transports: ['websocket'], reconnection: false })
  sockets.push(onlyB)
  await new Promise<void>((r) => onlyB.once('hello', () => r()))
  let ended = false
  onlyB.on('sessionEnded', () => (ended = true))
  const closed = new Promise<boolean>((r) => onlyB.on('disconnect', () => r(true)))
  const loggedOutAt = Date.now()
  const out = await fetch(`${a.origin}/api/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
  const wasClosed = await Promise.race([closed, new Promise<boolean>((r) => setTimeout(() => r(false), 3000))])
  tally.check('a logout on A closes that user\'s socket on B at once (rooms shared through Redis)', out.status === 204 && wasClosed && ended, `${Date.now() - loggedOutAt} ms`)
} catch (err) {
  tally.check('scale-out scenario ran to the end', false, (err as Error).stack ?? String(err))
} finally {
  for (const s of sockets) s.close()
  await a.stop()
  await b.stop()
}
console.log(`scale-out: ${tally.passed} passed, ${tally.failed} failed`)
process.exit(tally.failed ? 1 : 0)
