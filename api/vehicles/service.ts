import type { FastifyBaseLogger } from 'fastify'
import type { Server, Socket } from 'socket.io'
import type { Db } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { parseLiveScope, type LiveScope, type PositionInput, type VehicleAlert } from '../../geo/vehicles.ts'
import { AlertEngine, ALERTS_CHANNEL, DEFAULT_ALERT_RULES, type AlertRules } from './alerts.ts'
import { fromTuple, ingestPositions, POSITIONS_CHANNEL, type FixTuple, type IngestOptions, type IngestResult, type LatestFix } from './ingest.ts'
import { LiveHub } from './live-hub.ts'
import { DISPATCH_CHANNEL, DispatchTracker } from './dispatch.ts'
import type { VehicleDispatch, VehicleMedia } from '../../geo/vehicles.ts'
import { MEDIA_CHANNEL } from './media.ts'
import { loadLatest } from './repository.ts'
import { can } from '../access/policy.ts'
import { dispatchForWall, REDACTED_ROOM } from '../access/wall-view.ts'
import { ownVillage } from '../access/scope.ts'
import { Ration } from '../http/ration.ts'

export interface VehicleSettings {
  tickMs: number
  maxBufferedPackets: number
  /** how often every process looks for vehicles that went silent */
  offlineCheckMs: number
  /** days of position history kept; older fixes are deleted hourly */
  historyDays: number
  rules: AlertRules
}

export const DEFAULT_VEHICLE_SETTINGS: VehicleSettings = {
  tickMs: 100,
  maxBufferedPackets: 8,
  offlineCheckMs: 10_000,
  historyDays: 180,
  rules: DEFAULT_ALERT_RULES,
}

/** subscriptions a socket may make at once, and how often one more is allowed */
const SUBSCRIBE_BURST = 10
const SUBSCRIBE_REFILL_MS = 1000

export interface ReportedAlarms {
  vehicleId: number
  phone: string
  /** serial of the 0x0200 that carried them: the platform confirms the alarm with it (0x8203) */
  alarmSerial: number
  emergency: boolean
  /** labels of the device faults reported (antenna cut, power cut …); empty: none */
  faults: string[]
  /** the report's fix, when it had one; else the last known place */
  lon: number | null
  lat: number | null
}

export interface VehicleService {
  readonly hub: LiveHub
  readonly alerts: AlertEngine
  readonly dispatches: DispatchTracker
  readonly settings: VehicleSettings
  ingest(positions: PositionInput[], options?: IngestOptions): Promise<IngestResult>
  /** every dispatch order this process hears of (protocol gateways pass them to the truck) */
  onDispatch(listener: (order: VehicleDispatch) => void): void
  /**
   * What a terminal's alarm bits say (JT/T 808 0x0200), raised and ended as alerts; cheap when
   * nothing changes, as for nearly every report.
   */
  reportedAlarms(report: ReportedAlarms): Promise<void> | null
  /** settles once every stored fix has been judged for alerts */
  judged(): Promise<void>
  close(): Promise<void>
}

/** Rooms where a user hears alerts: town-wide roles all of them, a village's people their own. */
export function alertRooms(alert: VehicleAlert): string[] {
  return alert.villageId ? ['alerts:town', `alerts:village:${alert.villageId}`] : ['alerts:town']
}

/** The scope a user may follow: town-wide roles anything; a village's people only their village. */
function liveScopeRefusal(scope: LiveScope, village: number | null): string | null {
  if (village === null) return null
  if (scope.kind === 'village' && scope.villageId === village) return null
  return `scope ${scope.kind === 'village' ? `village:${scope.villageId}` : scope.kind} is outside your scope (village:${village})`
}

export async function createVehicleService(
  db: Db,
  io: Server,
  log: FastifyBaseLogger,
  overrides: Partial<VehicleSettings> = {},
): Promise<VehicleService> {
  const settings: VehicleSettings = { ...DEFAULT_VEHICLE_SETTINGS, ...overrides, rules: { ...DEFAULT_ALERT_RULES, ...overrides.rules } }
  const hub = new LiveHub(io, settings)
  const alerts = new AlertEngine(db, settings.rules)
  await alerts.load()
  const dispatches = new DispatchTracker(db, settings.rules.stopRadiusMeters)
  await dispatches.load()
  hub.apply(await loadLatest(db))

  const dispatchListeners: ((order: VehicleDispatch) => void)[] = []
  // A notification that does not parse is logged and dropped; the listener stays.
  const listenJson = <T>(channel: string, handle: (message: T) => void) =>
    db.listen(channel, (payload) => {
      try {
        handle(JSON.parse(payload) as T)
      } catch (err) {
        log.warn({ err, channel }, 'bad notification dropped')
      }
    })
  const unlisten = [
    await listenJson<FixTuple[]>(POSITIONS_CHANNEL, (tuples) => hub.apply(tuples.map(fromTuple))),
    await listenJson<VehicleAlert>(ALERTS_CHANNEL, (alert) => {
      alerts.heard(alert)
      io.local.to(alertRooms(alert)).emit('alerts', [alert])
    }),
    // a truck camera's new photo: the screens that watch the fleet show it on the truck's card
    await listenJson<VehicleMedia>(MEDIA_CHANNEL, (media) => void io.local.to('alerts:town').emit('vehicleMedia', media)),
    await listenJson<VehicleDispatch>(DISPATCH_CHANNEL, (order) => {
      dispatches.heard(order)
      // screens of the town-wide roles, and the trucks' terminals (the simulator obeys)
      io.local.to(['alerts:town', 'devices']).except(REDACTED_ROOM).emit('dispatch', order)
      // walls watch the fleet from 'alerts:town' too: they get it without the dispatcher's note
      void io.local.in('alerts:town').fetchSockets().then((sockets) => {
        for (const s of sockets) if (s.rooms.has(REDACTED_ROOM)) s.emit('dispatch', dispatchForWall(order))
      })
      for (const listener of dispatchListeners) listener(order)
    }),
  ]

  io.on('connection', (socket: Socket) => {
    const user = socket.data.user as AuthUser
    if (can(user, 'vehicles.receiveDispatch')) void socket.join('devices')
    const village = ownVillage(user)
    if (!can(user, 'vehicles.follow') || village === 'none') {
      socket.on('subscribe', (_msg: unknown, ack?: unknown) => {
        if (typeof ack === 'function') ack({ ok: false, error: `role ${user.role} may not follow vehicles live` })
      })
      return
    }
    if (can(user, 'vehicles.alerts')) void socket.join(village === null ? 'alerts:town' : `alerts:village:${village}`)
    // a client that asks again and again without reading what it was sent would make the
    // server hold one snapshot per request: subscriptions are rationed, and refused while
    // the socket has unread packets queued
    const ration = new Ration(SUBSCRIBE_BURST, SUBSCRIBE_REFILL_MS)
    socket.on('subscribe', (msg: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (r: unknown) => void) : () => {}
      if (hub.isSlow(socket) || !ration.take()) return reply({ ok: false, error: 'too many subscriptions; read what was sent, then ask again' })
      const scope = parseLiveScope((msg as { scope?: unknown } | null)?.scope)
      if (!scope) return reply({ ok: false, error: "scope must be 'town', 'village:ID' or 'bbox:minLon,minLat,maxLon,maxLat'" })
      const denied = liveScopeRefusal(scope, village)
      if (denied) return reply({ ok: false, error: denied })
      const state = hub.subscribe(socket, scope)
      reply({ ok: true, scope: (msg as { scope: string }).scope, vehicles: state.length })
    })

    socket.on('unsubscribe', () => hub.unsubscribe(socket))
    socket.on('disconnect', () => hub.unsubscribe(socket))
  })

  let checking = false
  const offlineTimer = setInterval(() => {
    if (checking) return
    checking = true
    alerts.checkOffline(hub.all()).catch((err) => log.error({ err }, 'offline check failed')).finally(() => (checking = false))
  }, settings.offlineCheckMs)
  offlineTimer.unref()

  const retention = async () => {
    await db.query(`DELETE FROM vehicle_positions WHERE time < now() - make_interval(days => $1)`, [settings.historyDays])
  }
  const retentionTimer = setInterval(() => void retention().catch((err) => log.error({ err }, 'retention failed')), 3_600_000)
  retentionTimer.unref()

  // Fixes waiting to be judged, the newest per vehicle. One judgement runs at a time and takes
  // all that waits, so a vehicle's fixes are judged in the order they were stored (judged side
  // by side, a slowdown could be judged before the speeding fix and leave an ended overspeed
  // open), and a flood of fixes the judge cannot keep up with folds into one fix per vehicle
  // instead of a queue that grows: the same rule the ingest applies within one batch.
  const unjudged = new Map<number, LatestFix>()
  let judging: Promise<void> | null = null
  const judgeAll = async () => {
    while (unjudged.size) {
      const fixes = [...unjudged.values()]
      unjudged.clear()
      await Promise.all([
        // a dispatched truck leaves its route on purpose
        alerts.evaluate(fixes, (id) => dispatches.isActive(id)),
        dispatches.check(fixes),
      ]).catch((err) => log.error({ err }, 'alert evaluation failed'))
    }
    judging = null
  }
  const judgeSoon = (latest: LatestFix[]) => {
    for (const f of latest) {
      const waiting = unjudged.get(f.vehicleId)
      if (!waiting || Date.parse(waiting.time) <= Date.parse(f.time)) unjudged.set(f.vehicleId, f)
    }
    judging ??= judgeAll()
  }

  return {
    hub,
    alerts,
    dispatches,
    settings,
    async ingest(positions, options) {
      const result = await ingestPositions(db, positions, { maxAgeMs: settings.historyDays * 86_400_000, ...options })
      // judged after the answer is settled; a failing rule must not fail the ingest
      if (result.latest.length) judgeSoon(result.latest)
      return result
    },
    onDispatch: (listener) => void dispatchListeners.push(listener),
    reportedAlarms(r) {
      const fault = r.faults.length > 0
      if (r.emergency === alerts.isActive(r.vehicleId, 'emergency') && fault === alerts.isActive(r.vehicleId, 'deviceFault')) return null
      const last = hub.get(r.vehicleId)
      // an emergency without any fix is still raised, without a place
      const lon = r.lon ?? last?.lon ?? null
      const lat = r.lat ?? last?.lat ?? null
      const at = { vehicleId: r.vehicleId, lon, lat, villageId: last?.villageId ?? null }
      const detail = { phone: r.phone, alarmSerial: r.alarmSerial }
      return Promise.all([
        alerts.settleReported(at, 'emergency', r.emergency, '驾驶员按下紧急报警按钮', detail),
        alerts.settleReported(at, 'deviceFault', fault, r.faults.join('、'), detail),
      ]).then(() => undefined)
    },
    judged: async () => void (await judging),
    async close() {
      clearInterval(offlineTimer)
      clearInterval(retentionTimer)
      hub.close()
      await judging
      for (const stop of unlisten) await stop()
    },
  }
}
