import type { WallWorkOrder } from '../../../../geo/work-orders.ts'
import { defineStore } from 'pinia'
import type { Socket } from 'socket.io-client'
import { computed, ref, shallowRef, triggerRef } from 'vue'
import type { VehicleAlert, VehicleDispatch, VehicleMedia, VehiclePosition, VehicleStatus, VehicleSummary } from '../../../../geo/vehicles.ts'
import { getJson, postJson, reasonOf } from '../../shared/api.ts'
import { openSocket } from '../../shared/socket.ts'
import { useAuthStore } from '../../shared/stores/auth.ts'

/** How much trail a truck drags behind it on the map, and the hard cap per truck. */
export const TRAIL_MINUTES = 10
const TRAIL_MAX_POINTS = 1200
const ALERTS_KEPT = 200
const TOASTS_SHOWN = 3
const TOAST_MS = 15_000

/** A truck on the map: where it is drawn now, gliding from its last drawn spot to the newest fix. */
export interface LiveTruck {
  vehicleId: number
  from: [number, number]
  to: [number, number]
  heading: number
  speedKmh: number
  time: string
  /** performance.now() when the glide began, and how long it lasts */
  start: number
  duration: number
  /** [lon, lat, epochMs] of recent fixes, oldest first */
  trail: [number, number, number][]
}

export function glidePosition(t: LiveTruck, now: number): [number, number] {
  const k = t.duration > 0 ? Math.min(1, Math.max(0, (now - t.start) / t.duration)) : 1
  return [t.from[0] + (t.to[0] - t.from[0]) * k, t.from[1] + (t.to[1] - t.from[1]) * k]
}

/**
 * Garbage trucks, live. REST gives the list (status, today's distance and coverage) and open
 * alerts; socket.io pushes positions and alerts. Memory stays flat for days: trails are cut
 * by age and count, alerts and toasts are capped, the socket is one per screen.
 */
export const useVehicleStore = defineStore('vehicles', () => {
  const auth = useAuthStore()
  const list = shallowRef<VehicleSummary[]>([])
  const live = shallowRef(new Map<number, LiveTruck>())
  const alerts = shallowRef<VehicleAlert[]>([])
  const toasts = ref<VehicleAlert[]>([])
  /** orders under way, by vehicle */
  const dispatches = shallowRef(new Map<number, VehicleDispatch>())
  const followId = ref<number | null>(null)
  const connected = ref(false)
  /** counts position batches: watchers of `live` (a Map mutated in place) watch this */
  const version = ref(0)
  let socket: Socket | null = null
  const toastTimers = new Set<ReturnType<typeof setTimeout>>()

  const byId = computed(() => new Map(list.value.map((v) => [v.id, v])))
  const openAlerts = computed(() => alerts.value.filter((a) => a.state !== 'closed'))

  /** The list says what the server saw up to half a minute ago; a newer live fix says more. */
  function statusOf(id: number): VehicleStatus {
    const listed = byId.value.get(id)
    const t = live.value.get(id)
    if (t && (!listed?.position || t.time > listed.position.time)) return t.speedKmh >= 3 ? 'moving' : 'stopped'
    return listed?.status ?? 'noSignal'
  }

  function applyPositions(batch: VehiclePosition[]): void {
    const now = performance.now()
    const cutoff = Date.now() - TRAIL_MINUTES * 60_000
    const map = live.value
    for (const p of batch) {
      const t = map.get(p.vehicleId)
      const fixTime = Date.parse(p.time)
      if (!t) {
        map.set(p.vehicleId, {
          vehicleId: p.vehicleId, from: [p.lon, p.lat], to: [p.lon, p.lat], heading: p.heading, speedKmh: p.speedKmh,
          time: p.time, start: now, duration: 0, trail: [[p.lon, p.lat, fixTime]],
        })
        continue
      }
      if (p.time <= t.time) continue
      t.from = glidePosition(t, now)
      t.to = [p.lon, p.lat]
      // glide over the time the fix took to arrive, so the truck never jumps nor stalls
      t.duration = Math.min(3000, Math.max(300, Date.parse(p.time) - Date.parse(t.time)))
      t.start = now
      t.heading = p.heading
      t.speedKmh = p.speedKmh
      t.time = p.time
      t.trail.push([p.lon, p.lat, fixTime])
      let drop = 0
      while (drop < t.trail.length - 1 && (t.trail[drop][2] < cutoff || t.trail.length - drop > TRAIL_MAX_POINTS)) drop++
      if (drop) t.trail.splice(0, drop)
    }
    triggerRef(live)
    version.value++
  }

  function applyAlerts(incoming: VehicleAlert[]): void {
    const next = new Map(alerts.value.map((a) => [a.id, a]))
    for (const a of incoming) {
      const isNew = !next.has(a.id)
      next.set(a.id, a)
      // an emergency takes the wall at once: the map centres on the truck and follows it (the banner sounds)
      if (isNew && a.kind === 'emergency' && a.state === 'open') followId.value = a.vehicleId
      // conditions pop up when they start; a missed collection point is an event, already over
      if (isNew && (a.endedAt === null || a.kind === 'missedPoint')) toast(a)
    }
    alerts.value = [...next.values()].sort((a, b) => b.raisedAt.localeCompare(a.raisedAt)).slice(0, ALERTS_KEPT)
  }

  function toast(a: VehicleAlert): void {
    toasts.value = [a, ...toasts.value].slice(0, TOASTS_SHOWN)
    const timer = setTimeout(() => {
      toastTimers.delete(timer)
      toasts.value = toasts.value.filter((x) => x.id !== a.id)
    }, TOAST_MS)
    toastTimers.add(timer)
  }

  function applyDispatch(d: VehicleDispatch): void {
    const next = new Map(dispatches.value)
    if (d.state === 'sent') next.set(d.vehicleId, d)
    else if (next.get(d.vehicleId)?.id === d.id) next.delete(d.vehicleId)
    dispatches.value = next
  }

  async function refreshDispatches(): Promise<void> {
    try {
      const active = await getJson<VehicleDispatch[]>('/api/vehicles/dispatches?active=1')
      dispatches.value = new Map(active.map((d) => [d.vehicleId, d]))
    } catch {
      /* scoped roles do not see orders */
    }
  }

  async function dispatch(vehicleId: number, collectionPointId: number, note: string): Promise<string | null> {
    const res = await fetch(`/api/vehicles/${vehicleId}/dispatch`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${auth.token}` },
      body: JSON.stringify({ collectionPointId, note }),
    })
    const body = (await res.json()) as VehicleDispatch & { message?: string }
    if (!res.ok) return body.message ?? `派车失败 (${res.status})`
    applyDispatch(body)
    return null
  }

  async function cancelDispatch(id: number): Promise<void> {
    const res = await fetch(`/api/vehicles/dispatches/${id}/cancel`, { method: 'POST', headers: { Authorization: `Bearer ${auth.token}` } })
    if (res.ok) applyDispatch((await res.json()) as VehicleDispatch)
  }

  /** the list has been read once: an empty one means no truck is registered, not "not yet read" */
  const listed = ref(false)
  async function refreshList(): Promise<void> {
    try {
      list.value = await getJson<VehicleSummary[]>('/api/vehicles')
      listed.value = true
    } catch {
      /* the next refresh tries again; the live layer keeps moving meanwhile */
    }
  }

  async function refreshAlerts(): Promise<void> {
    try {
      const fresh = await getJson<VehicleAlert[]>('/api/vehicles/alerts?view=open&limit=100')
      alerts.value = fresh
    } catch {
      /* as above */
    }
  }

  /**
   * The screen's one socket (trucks, alerts, orders, and data-change notices for the panels);
   * on every (re)connect it subscribes again and gets the current state.
   */
  function connect(on: {
    dataChanged?: (tables: string[]) => void
    workOrder?: (order: WallWorkOrder) => void
    /** this wall's id, said on every (re)connect so the desk's commands reach it; and what to do with them */
    wall?: { id: string; command: (cmd: { tour?: string | null; reload?: boolean }) => void }
  } = {}): void {
    if (socket || !auth.token) return
    socket = openSocket((s) => {
      s.emit('subscribe', { scope: 'town' })
      if (on.wall) s.emit('wall', { displayId: on.wall.id })
      void refreshAlerts()
      void refreshDispatches()
    }, (up) => (connected.value = up))
    if (!socket) return
    socket.on('positions', applyPositions)
    socket.on('alerts', applyAlerts)
    socket.on('dispatch', applyDispatch)
    socket.on('vehicleMedia', (m: VehicleMedia) => applyMedia([m]))
    if (on.dataChanged) socket.on('dataChanged', (m: { tables: string[] }) => on.dataChanged!(m.tables))
    if (on.workOrder) socket.on('workOrder', on.workOrder)
    if (on.wall) socket.on('wallCommand', on.wall.command)
  }

  function disconnect(): void {
    socket?.close()
    socket = null
    connected.value = false
    for (const t of toastTimers) clearTimeout(t)
    toastTimers.clear()
  }

  async function handle(alertId: number, action: 'acknowledge' | 'close'): Promise<void> {
    const res = await fetch(`/api/vehicles/alerts/${alertId}/${action}`, { method: 'POST', headers: { Authorization: `Bearer ${auth.token}` } })
    if (res.ok) applyAlerts([(await res.json()) as VehicleAlert])
  }

  /** the newest camera photo per truck (拍照, or a terminal's own upload with an alarm) */
  const latestMedia = shallowRef(new Map<number, VehicleMedia>())
  function applyMedia(items: VehicleMedia[]): void {
    const next = new Map(latestMedia.value)
    for (const m of items) {
      const known = next.get(m.vehicleId)
      if (!known || known.createdAt <= m.createdAt) next.set(m.vehicleId, m)
    }
    latestMedia.value = next
  }
  async function loadMedia(vehicleId: number): Promise<void> {
    const list = await getJson<VehicleMedia[]>(`/api/vehicles/${vehicleId}/media?limit=1`).catch(() => [])
    applyMedia(list)
  }
  /** 拍照: resolves with null when the photo is stored (it also arrives over the socket), else the server's reason */
  async function snapshot(vehicleId: number, channel = 1): Promise<string | null> {
    try {
      applyMedia([await postJson<VehicleMedia>(`/api/vehicles/${vehicleId}/snapshot`, { channel })])
      return null
    } catch (err) {
      return reasonOf(err)
    }
  }
  /** 加密跟踪: every intervalS for minutes; null when the terminal took it */
  async function track(vehicleId: number, intervalS: number, minutes: number): Promise<string | null> {
    try {
      await postJson(`/api/vehicles/${vehicleId}/tracking`, { intervalS, minutes })
      return null
    } catch (err) {
      return reasonOf(err)
    }
  }
  /** emergencies not yet acknowledged, newest first */
  const emergencies = computed(() => alerts.value.filter((a) => a.kind === 'emergency' && a.state === 'open'))

  return {
    latestMedia, loadMedia, snapshot, track, emergencies,
    dispatches, dispatch, cancelDispatch,
    list, listed, live, version, alerts, openAlerts, toasts, followId, connected, byId, statusOf,
    connect, disconnect, refreshList, refreshAlerts, handle, applyPositions, applyAlerts,
  }
})
