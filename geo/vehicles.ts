// Live vehicle types shared by the API, the simulator and the screen.

/** One GPS fix as pushed on the socket (`positions` event) and returned by the API. WGS-84. */
export interface VehiclePosition {
  vehicleId: number
  /** ISO 8601, UTC */
  time: string
  lon: number
  lat: number
  speedKmh: number
  heading: number
}

/** One fix as a device sends it to POST /api/vehicles/positions. */
export interface PositionInput extends VehiclePosition {
  accuracy?: number
}

export type VehicleStatus = 'moving' | 'stopped' | 'offline' | 'noSignal'

export interface VehicleSummary {
  id: number
  plate: string
  /** geo/fleet.ts VEHICLE_KINDS */
  kind: string
  name: string
  driverName: string
  /** masked (138****5678) unless the caller keeps the fleet; null when the register has none */
  driverPhone: string | null
  cameraUrl: string | null
  status: VehicleStatus
  position: VehiclePosition | null
  villageId: number | null
  /** km driven today (Asia/Shanghai day) from the stored track */
  distanceTodayKm: number
  /** collection points of the vehicle's route visited today / on the route */
  pointsVisitedToday: number
  pointsOnRoute: number
}

/** GET /api/vehicles/:id/track: a LineString with the time (epoch ms) of every vertex, for playback. */
export interface VehicleTrack {
  type: 'Feature'
  geometry: { type: 'LineString'; coordinates: [number, number][] }
  properties: {
    vehicleId: number
    from: string
    to: string
    /** fixes in the range before any simplification */
    points: number
    times: number[]
    /** km/h per vertex; empty when simplified */
    speeds: number[]
    distanceKm: number
  }
}

export const ALERT_KINDS = ['offline', 'overspeed', 'dwell', 'offRoute', 'missedPoint', 'emergency', 'deviceFault'] as const
export type AlertKind = (typeof ALERT_KINDS)[number]
export const ALERT_LABELS: Record<AlertKind, string> = {
  offline: '离线',
  overspeed: '超速',
  dwell: '异常停留',
  offRoute: '偏离路线',
  missedPoint: '漏收',
  emergency: '紧急报警',
  deviceFault: '设备故障',
}

/** Raised by the terminal itself (the driver's emergency button, a cut antenna or power), not judged from fixes. */
export const TERMINAL_ALERT_KINDS: readonly AlertKind[] = ['emergency', 'deviceFault']

/** A photo a truck's camera took, on a dispatcher's 拍照 or by itself with an alarm. */
export interface VehicleMedia {
  id: number
  vehicleId: number
  photoId: number
  url: string
  thumbUrl: string
  channel: number
  /** JT/T 808 event code: 0 a platform command, 1 timed, 2 robbery (emergency) alarm, 3 collision … */
  event: number
  /** the terminal's fix time when it took it; null without a fix */
  takenAt: string | null
  lon: number | null
  lat: number | null
  alertId: number | null
  createdAt: string
}

export type AlertState = 'open' | 'acknowledged' | 'closed'

export interface VehicleAlert {
  id: number
  vehicleId: number
  plate: string
  kind: AlertKind
  state: AlertState
  message: string
  lon: number | null
  lat: number | null
  villageId: number | null
  raisedAt: string
  /** when the condition cleared (truck back online, speed back under the limit); null while it holds */
  endedAt: string | null
  acknowledgedBy: string | null
  closedBy: string | null
}

export interface VehicleDispatch {
  id: number
  vehicleId: number
  plate: string
  collectionPointId: number
  collectionPointName: string
  lon: number
  lat: number
  /** the dispatcher's note; a wall does not get it */
  note?: string
  state: 'sent' | 'arrived' | 'cancelled'
  createdBy: string
  createdAt: string
  doneAt: string | null
}

/** A live subscription: the whole town, one village, or the map's viewport. */
export type LiveScope =
  | { kind: 'town' }
  | { kind: 'village'; villageId: number }
  | { kind: 'bbox'; minLon: number; minLat: number; maxLon: number; maxLat: number }

/** Parses `town`, `village:ID` or `bbox:minLon,minLat,maxLon,maxLat`; null when malformed. */
export function parseLiveScope(text: unknown): LiveScope | null {
  if (typeof text !== 'string' || text.length > 100) return null
  if (text === 'town') return { kind: 'town' }
  let m = /^village:([1-9]\d{0,8})$/.exec(text)
  if (m) return { kind: 'village', villageId: Number(m[1]) }
  m = /^bbox:(.+)$/.exec(text)
  if (!m) return null
  const parts = m[1].split(',')
  if (parts.length !== 4 || parts.some((p) => !/^-?\d+(\.\d+)?$/.test(p.trim()))) return null
  const [minLon, minLat, maxLon, maxLat] = parts.map(Number)
  if (minLon < -180 || maxLon > 180 || minLat < -90 || maxLat > 90 || minLon >= maxLon || minLat >= maxLat) return null
  return { kind: 'bbox', minLon, minLat, maxLon, maxLat }
}

export function liveScopeKey(scope: LiveScope): string {
  if (scope.kind === 'town') return 'town'
  if (scope.kind === 'village') return `village:${scope.villageId}`
  return `bbox:${scope.minLon},${scope.minLat},${scope.maxLon},${scope.maxLat}`
}

export function inLiveScope(scope: LiveScope, p: { lon: number; lat: number }, villageId: number | null): boolean {
  if (scope.kind === 'town') return true
  if (scope.kind === 'village') return villageId === scope.villageId
  return p.lon >= scope.minLon && p.lon <= scope.maxLon && p.lat >= scope.minLat && p.lat <= scope.maxLat
}
