import { Rng } from '../../geo/random.ts'
import type { PositionInput } from '../../geo/vehicles.ts'
import type { SimRoute } from './routes.ts'
import type { Transport } from './transport.ts'
import { type Fault, SimTruck } from './truck.ts'

export interface SimulatorOptions {
  /** how fixes leave the trucks: the HTTP ingest route or JT/T 808 terminals */
  transport: Transport
  routes: SimRoute[]
  /** vehicles 1..N; beyond the routes they drive the runs again (bench: extra vehicles must exist) */
  vehicles?: number
  /** fixes per truck per second */
  hz?: number
  seed?: number
  /** speeder, dropout, dweller trucks and network gaps; off for benchmarks */
  faults?: boolean
  log?: (line: string) => void
}

export interface SimulatorStats {
  sent: number
  accepted: number
  rejected: number
  failedRequests: number
  /** fixes waiting to be resent after a network gap or a failed request */
  queued: number
}

/** Fixes held back while a truck has no network, or after a failed request; a terminal keeps ~a day. */
const MAX_QUEUED = 200_000

function faultOf(vehicleId: number, faults: boolean): Fault {
  if (!faults) return 'none'
  return vehicleId === 3 ? 'speeder' : vehicleId === 5 ? 'dropout' : vehicleId === 7 ? 'dweller' : 'none'
}

/**
 * Drives the trucks and reports their fixes through the public ingest API or as JT/T 808
 * terminals, exactly as real trucks would: batched per tick, resent after a failure (the API is
 * idempotent), held back during network gaps and uploaded late (out of order), never dropped.
 */
export function startSimulator(opts: SimulatorOptions): { stop(): Promise<void>; stats: SimulatorStats; trucks: SimTruck[] } {
  const hz = opts.hz ?? 1
  const rng = new Rng(opts.seed ?? 20261124)
  const n = opts.vehicles ?? opts.routes.length
  const trucks = Array.from({ length: n }, (_, i) => {
    const route = opts.routes[i % opts.routes.length]
    return new SimTruck(i + 1, route, faultOf(i + 1, opts.faults ?? true), new Rng(rng.int(1, 2 ** 31)))
  })
  const stats: SimulatorStats = { sent: 0, accepted: 0, rejected: 0, failedRequests: 0, queued: 0 }
  const gapUntil = new Map<number, number>()
  const held: PositionInput[] = []
  const retry: PositionInput[] = []
  let last = Date.now()
  let inFlight: Promise<void> | null = null
  let stopped = false

  const send = async (batch: PositionInput[]) => {
    const failed = await opts.transport.send(batch, stats, opts.log)
    retry.push(...failed)
    if (retry.length > MAX_QUEUED) retry.splice(0, retry.length - MAX_QUEUED)
  }

  const tick = () => {
    const now = Date.now()
    const dt = Math.min(10, (now - last) / 1000)
    last = now
    const batch: PositionInput[] = retry.splice(0)
    for (const truck of trucks) {
      const fix = truck.step(now, dt)
      if (!fix) continue
      const gap = gapUntil.get(truck.vehicleId) ?? 0
      if (opts.faults !== false && now >= gap && rng.chance(dt / 400)) gapUntil.set(truck.vehicleId, now + rng.range(10_000, 40_000))
      if (now < (gapUntil.get(truck.vehicleId) ?? 0)) held.push(fix)
      else batch.push(fix)
    }
    // trucks whose network came back upload what they held: older than fixes already stored
    const still = held.filter((f) => now < (gapUntil.get(f.vehicleId) ?? 0))
    if (still.length !== held.length) {
      batch.push(...held.filter((f) => now >= (gapUntil.get(f.vehicleId) ?? 0)))
      held.splice(0, held.length, ...still)
    }
    if (held.length > MAX_QUEUED) held.splice(0, held.length - MAX_QUEUED)
    stats.queued = held.length + retry.length
    if (!batch.length) return
    // one request at a time; a slow answer makes the next tick's batch bigger, not a pile of requests
    if (inFlight) {
      retry.push(...batch)
      return
    }
    inFlight = send(batch).finally(() => (inFlight = null))
  }

  const timer = setInterval(() => {
    if (!stopped) tick()
  }, 1000 / hz)

  // Dispatch orders reach the trucks through their transport's channel; they obey.
  opts.transport.onOrder((order) => {
    const truck = trucks[order.vehicleId - 1]
    if (!truck) return
    truck.dispatchTo(order.target)
    opts.log?.(order.label)
  })
  return {
    stats,
    trucks,
    async stop() {
      stopped = true
      clearInterval(timer)
      await inFlight
      await opts.transport.close()
    },
  }
}
