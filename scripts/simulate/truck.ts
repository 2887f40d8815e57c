import { LocalProjection } from '../../geo/local-projection.ts'
import type { Pt } from '../../geo/planar.ts'
import type { Rng } from '../../geo/random.ts'
import type { PositionInput } from '../../geo/vehicles.ts'
import type { LonLat, SimRoute } from './routes.ts'

/** What goes wrong with a truck, so the alert rules have something to find in a demo. */
export type Fault = 'none' | 'speeder' | 'dropout' | 'dweller'

const kmh = (ms: number) => ms * 3.6

/**
 * One garbage truck driving its run: along the road path at town speeds, a minute or two at
 * each collection point, a break at the transfer station, then the next run. GPS fixes get
 * a few metres of jitter. A `speeder` races on part of the run, a `dropout` switches its
 * terminal off for minutes at a time, a `dweller` takes a long break away from any stop.
 */
export class SimTruck {
  private readonly proj: LocalProjection
  private readonly xy: Pt[]
  /** cumulative metres along the path at each vertex */
  private readonly along: number[]
  private readonly stopAt: number[]
  private s: number
  private nextStop = 0
  private speed = 0
  private cruise = 8
  private pausedUntil = 0
  private offUntil = 0
  private dwellDone = false
  /** a standing truck keeps pointing where it was going */
  private heading = 0
  /** a dispatcher's order: drive to `target`, stand there, drive back to `rejoin` on the run */
  private detour: { target: Pt; rejoin: Pt; at: Pt; phase: 'out' | 'back' } | null = null

  constructor(
    readonly vehicleId: number,
    route: SimRoute,
    readonly fault: Fault,
    private readonly rng: Rng,
  ) {
    this.proj = new LocalProjection(route.depot[0], route.depot[1])
    this.xy = route.path.map((p) => this.proj.toMetres(p))
    this.along = [0]
    for (let i = 1; i < this.xy.length; i++) this.along.push(this.along[i - 1] + dist(this.xy[i - 1], this.xy[i]))
    this.stopAt = route.stops.map((p) => this.project(this.proj.toMetres(p))).sort((a, b) => a - b)
    // trucks start spread along their runs, not all at the depot
    this.s = rng.range(0, this.length * 0.8)
    this.nextStop = this.stopAt.findIndex((a) => a > this.s)
    if (this.nextStop < 0) this.nextStop = this.stopAt.length
  }

  get length(): number {
    return this.along[this.along.length - 1]
  }

  /** Sends the truck to a point (a dispatch order); it resumes its run afterwards. */
  dispatchTo(p: LonLat): void {
    const here = this.detour?.at ?? this.positionAt(this.s).at
    this.detour = { target: this.proj.toMetres(p), rejoin: this.positionAt(this.s).at, at: here, phase: 'out' }
    this.pausedUntil = 0
  }

  get isDispatched(): boolean {
    return this.detour !== null
  }

  /** Advances the truck by dt seconds; returns the fix its terminal reports, or null when it is off. */
  step(now: number, dt: number): PositionInput | null {
    const fraction = this.s / this.length
    if (this.fault === 'dropout' && now >= this.offUntil && this.rng.chance(dt / 1500)) this.offUntil = now + this.rng.range(360_000, 480_000)
    const paused = now < this.pausedUntil
    let heading = this.heading
    let at: Pt
    if (paused) {
      this.speed = 0
      at = this.detour?.at ?? this.positionAt(this.s).at
    } else if (this.detour) {
      const d = this.detour
      const goal = d.phase === 'out' ? d.target : d.rejoin
      this.speed = 9
      const left = dist(d.at, goal)
      const move = Math.min(left, this.speed * dt)
      heading = bearing(d.at, goal)
      if (left > 0) d.at = [d.at[0] + ((goal[0] - d.at[0]) / left) * move, d.at[1] + ((goal[1] - d.at[1]) / left) * move]
      at = d.at
      if (move >= left) {
        this.speed = 0
        if (d.phase === 'out') {
          d.phase = 'back'
          this.pausedUntil = now + 120_000
        } else {
          this.detour = null
        }
      }
    } else {
      if (this.rng.chance(dt / 60)) this.cruise = this.rng.range(6, 10)
      const target = this.fault === 'speeder' && fraction > 0.3 && fraction < 0.4 ? 21 : this.cruise
      this.speed += Math.max(-2 * dt, Math.min(1.5 * dt, target - this.speed))
      const before = this.s
      this.s += this.speed * dt
      const stop = this.stopAt[this.nextStop]
      if (stop !== undefined && before < stop && this.s >= stop) {
        this.s = stop
        this.nextStop++
        const atDepot = this.nextStop >= this.stopAt.length
        this.pausedUntil = now + (atDepot ? this.rng.range(150_000, 240_000) : this.rng.range(45_000, 120_000))
        this.speed = 0
      } else if (this.fault === 'dweller' && !this.dwellDone && fraction > 0.6) {
        this.dwellDone = true
        this.pausedUntil = now + this.rng.range(16, 19) * 60_000
        this.speed = 0
      }
      if (this.s >= this.length) {
        this.s = 0
        this.nextStop = 0
        this.dwellDone = false
      }
      const pos = this.positionAt(this.s)
      at = pos.at
      if (this.speed > 0) heading = pos.heading
    }
    this.heading = heading
    if (now < this.offUntil) return null
    const jitter: Pt = [at[0] + this.rng.normal() * 3, at[1] + this.rng.normal() * 3]
    const [lon, lat] = this.proj.toLonLat(jitter)
    const reported = this.speed > 0.3 ? kmh(this.speed) + this.rng.normal() * 1.5 : 0
    return {
      vehicleId: this.vehicleId,
      time: new Date(now).toISOString(),
      lon,
      lat,
      speedKmh: Math.round(Math.max(0, reported) * 10) / 10,
      heading: Math.round(((heading % 360) + 360) % 360),
      accuracy: 5,
    }
  }

  private positionAt(s: number): { at: Pt; heading: number } {
    let i = 1
    while (i < this.along.length - 1 && this.along[i] < s) i++
    const a = this.xy[i - 1]
    const b = this.xy[i]
    const seg = this.along[i] - this.along[i - 1] || 1
    const t = Math.min(1, Math.max(0, (s - this.along[i - 1]) / seg))
    return { at: [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t], heading: bearing(a, b) }
  }

  /** distance along the path of the vertex nearest to p */
  private project(p: Pt): number {
    let best = 0
    let bestD = Infinity
    this.xy.forEach((v, i) => {
      const d = dist(v, p)
      if (d < bestD) {
        bestD = d
        best = this.along[i]
      }
    })
    return best
  }
}

const dist = (a: Pt, b: Pt) => Math.hypot(b[0] - a[0], b[1] - a[1])
/** compass bearing a → b, degrees clockwise from north */
const bearing = (a: Pt, b: Pt) => ((Math.atan2(b[0] - a[0], b[1] - a[1]) * 180) / Math.PI + 360) % 360
