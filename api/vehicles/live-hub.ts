import type { Server, Socket } from 'socket.io'
import { inLiveScope, liveScopeKey, type LiveScope, type VehiclePosition } from '../../geo/vehicles.ts'
import type { LatestFix } from './ingest.ts'

export interface LiveHubOptions {
  /** how often coalesced updates go out */
  tickMs: number
  /** a socket with more unsent packets than this is slow: it skips ticks and later gets one snapshot */
  maxBufferedPackets: number
}

interface Group {
  scope: LiveScope
  room: string
  members: number
}

const toPosition = (f: LatestFix): VehiclePosition => ({
  vehicleId: f.vehicleId, time: f.time, lon: f.lon, lat: f.lat, speedKmh: f.speedKmh, heading: f.heading,
})

/**
 * This process's view of where every vehicle is, and its subscribers. Fixes arrive from
 * NOTIFY (whichever process ingested them); each tick sends every subscription group the
 * newest fix of each vehicle that moved in its scope, encoded once per group. Memory is
 * bounded by vehicles + subscribers: a slow socket is skipped, never queued for, and gets
 * the current state of its scope once it drains.
 */
export class LiveHub {
  private readonly latest = new Map<number, LatestFix>()
  private readonly moved = new Set<number>()
  private readonly groups = new Map<string, Group>()
  private readonly behind = new Set<Socket>()
  private readonly timer: NodeJS.Timeout

  constructor(
    private readonly io: Server,
    private readonly opts: LiveHubOptions,
  ) {
    this.timer = setInterval(() => this.tick(), opts.tickMs)
    this.timer.unref()
  }

  close(): void {
    clearInterval(this.timer)
  }

  /** Fixes from NOTIFY or the start-up load; an older fix never replaces a newer one. */
  apply(fixes: LatestFix[]): void {
    for (const f of fixes) {
      const known = this.latest.get(f.vehicleId)
      if (known && known.time >= f.time) continue
      this.latest.set(f.vehicleId, f)
      this.moved.add(f.vehicleId)
    }
  }

  get(vehicleId: number): LatestFix | undefined {
    return this.latest.get(vehicleId)
  }

  all(): IterableIterator<LatestFix> {
    return this.latest.values()
  }

  snapshot(scope: LiveScope): VehiclePosition[] {
    const out: VehiclePosition[] = []
    for (const f of this.latest.values()) if (inLiveScope(scope, f, f.villageId)) out.push(toPosition(f))
    return out
  }

  /** Moves the socket to the group of `scope` and sends it the scope's current state at once. */
  subscribe(socket: Socket, scope: LiveScope): VehiclePosition[] {
    this.unsubscribe(socket)
    const key = liveScopeKey(scope)
    let group = this.groups.get(key)
    if (!group) {
      group = { scope, room: `live:${key}`, members: 0 }
      this.groups.set(key, group)
    }
    group.members++
    socket.data.liveKey = key
    void socket.join(group.room)
    const state = this.snapshot(scope)
    socket.emit('positions', state)
    return state
  }

  unsubscribe(socket: Socket): void {
    const key = socket.data.liveKey as string | undefined
    if (!key) return
    socket.data.liveKey = undefined
    this.behind.delete(socket)
    const group = this.groups.get(key)
    if (!group) return
    void socket.leave(group.room)
    if (--group.members <= 0) this.groups.delete(key)
  }

  isSlow(socket: Socket): boolean {
    // engine.io keeps packets the transport has not taken yet in writeBuffer (private in its
    // types, stable since engine.io 1); a long buffer means the client is not keeping up.
    return (socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length > this.opts.maxBufferedPackets
  }

  tick(): void {
    // Sockets that fell behind and have drained get their scope's whole state, once.
    for (const socket of this.behind) {
      if (socket.disconnected) {
        this.behind.delete(socket)
        continue
      }
      if (this.isSlow(socket)) continue
      this.behind.delete(socket)
      const group = this.groups.get(socket.data.liveKey as string)
      if (group) socket.emit('positions', this.snapshot(group.scope))
    }
    if (!this.moved.size) return
    const moved = [...this.moved].map((id) => this.latest.get(id)!)
    this.moved.clear()
    for (const group of this.groups.values()) {
      const batch = moved.filter((f) => inLiveScope(group.scope, f, f.villageId)).map(toPosition)
      if (!batch.length) continue
      const skip: string[] = []
      for (const id of this.io.of('/').adapter.rooms.get(group.room) ?? []) {
        const socket = this.io.of('/').sockets.get(id)
        if (socket && (this.behind.has(socket) || this.isSlow(socket))) {
          this.behind.add(socket)
          skip.push(id)
        }
      }
      // io.local: every API process hears every fix on NOTIFY and serves its own sockets.
      const target = this.io.local.to(group.room)
      ;(skip.length ? target.except(skip) : target).emit('positions', batch)
    }
  }
}
