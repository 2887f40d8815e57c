import { Type } from 'typebox'
import type { Db, Queryable } from '../db/types.ts'
import { HttpError, notFound } from '../http/errors.ts'
import type { AlertKind, AlertState, VehicleAlert } from '../../geo/vehicles.ts'
import type { LatestFix } from './ingest.ts'
import { TERMINALS_CHANNEL } from '../terminals/repository.ts'

export const ALERTS_CHANNEL = 'vehicle_alerts'

export interface AlertRules {
  speedLimitKmh: number
  /** no fix for this long: offline */
  offlineAfterSeconds: number
  /** standing still this long away from a collection point or the transfer station: dwell */
  dwellMinutes: number
  /** farther than this from the vehicle's assigned route: off route */
  offRouteMeters: number
  /** within this distance of a collection point or the transfer station counts as "at a stop" */
  stopRadiusMeters: number
}

export const DEFAULT_ALERT_RULES: AlertRules = {
  speedLimitKmh: 60,
  offlineAfterSeconds: 300,
  dwellMinutes: 15,
  offRouteMeters: 300,
  stopRadiusMeters: 80,
}

/** One alert as JSON, built by PostgreSQL so every query and every NOTIFY says the same. */
const ALERT_JSON = `json_build_object(
  'id', a.id, 'vehicleId', a.vehicle_id, 'plate', (SELECT plate FROM vehicles WHERE id = a.vehicle_id),
  'kind', a.kind, 'state', a.state, 'message', a.message,
  'lon', ST_X(a.geom), 'lat', ST_Y(a.geom), 'villageId', a.village_id,
  'raisedAt', to_char(a.raised_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'endedAt', to_char(a.ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'acknowledgedBy', a.acknowledged_by, 'closedBy', a.closed_by)`

const NullableString = Type.Union([Type.String(), Type.Null()])
/** ALERT_JSON's shape, as routes answer it (a whitelist too) */
export const VehicleAlertSchema = Type.Object({
  id: Type.Integer(), vehicleId: Type.Integer(), plate: Type.String(),
  kind: Type.String({ description: 'overspeed, offline, dwell, offRoute, missedPoint, emergency (the driver\'s SOS), deviceFault' }),
  state: Type.String({ description: 'open (not yet acknowledged), acknowledged, closed' }),
  message: Type.String(),
  lon: Type.Union([Type.Number(), Type.Null()]), lat: Type.Union([Type.Number(), Type.Null()]),
  villageId: Type.Union([Type.Integer(), Type.Null()]),
  raisedAt: Type.String(), endedAt: NullableString,
  acknowledgedBy: NullableString, closedBy: NullableString,
})

const announce = (cte: string) => `WITH a AS (${cte}) SELECT pg_notify('${ALERTS_CHANNEL}', ${ALERT_JSON}::text) FROM a`

const RAISE = announce(`
  INSERT INTO vehicle_alerts (vehicle_id, kind, message, geom, village_id, detail)
  SELECT $1::int, $2::text, $3::text, ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326), $6::int, $7::jsonb
  -- a retired truck raises nothing (the hub still holds its last fix, which goes silent)
  WHERE EXISTS (SELECT 1 FROM vehicles v WHERE v.id = $1::int AND v.retired_at IS NULL)
  ON CONFLICT (vehicle_id, kind) WHERE ended_at IS NULL DO NOTHING
  RETURNING *`)

// The route's collection points the truck did not stand at (speed < 5 km/h within the stop
// radius) between leaving the transfer station and coming back; one event for the run.
const MISSED = announce(`
  INSERT INTO vehicle_alerts (vehicle_id, kind, message, geom, village_id, detail, ended_at)
  SELECT $1, 'missedPoint', '本趟漏收 ' || count(*) || ' 个收集点: ' || string_agg(c.name, '、' ORDER BY c.id),
         ST_SetSRID(ST_MakePoint($4, $5), 4326), NULL, jsonb_build_object('collectionPointIds', jsonb_agg(c.id ORDER BY c.id)), now()
  FROM vehicle_routes r JOIN collection_points c ON c.id = ANY(r.collection_point_ids)
  WHERE r.vehicle_id = $1
    AND NOT EXISTS (SELECT 1 FROM vehicle_positions p
                    WHERE p.vehicle_id = $1 AND p.time BETWEEN $2 AND $3 AND p.speed_kmh < 5
                      AND ST_DWithin(p.geom::geography, c.geom::geography, $6))
  HAVING count(*) > 0
  RETURNING *`)

/** A truck retired: its alerts not yet closed are closed (and ended) by whoever retired it, and the screens told. */
export const CLOSE_RETIRED = announce(`
  UPDATE vehicle_alerts SET ended_at = coalesce(ended_at, now()), state = 'closed', closed_by = $2, closed_at = now()
  WHERE vehicle_id = $1 AND state <> 'closed'
  RETURNING *`)

const END = announce(`
  UPDATE vehicle_alerts SET ended_at = now()
  WHERE vehicle_id = $1 AND kind = $2 AND ended_at IS NULL
  RETURNING *`)

interface Facts {
  vehicle_id: number
  route_m: number | null
  at_stop: boolean
  at_depot: boolean
  /** ISO time the current run began, null while at the transfer station */
  run_started_at: string | null
}

const FACTS = `
SELECT f.vehicle_id,
  (SELECT min(ST_Distance(r.geom::geography, f.geom::geography)) FROM vehicle_routes r WHERE r.vehicle_id = f.vehicle_id) AS route_m,
  EXISTS (SELECT 1 FROM collection_points c WHERE ST_DWithin(c.geom::geography, f.geom::geography, $4))
    OR EXISTS (SELECT 1 FROM transfer_stations s WHERE ST_DWithin(s.geom::geography, f.geom::geography, $4)) AS at_stop,
  EXISTS (SELECT 1 FROM transfer_stations s WHERE ST_DWithin(s.geom::geography, f.geom::geography, $4)) AS at_depot,
  (SELECT to_char(l.run_started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') FROM vehicle_latest l WHERE l.vehicle_id = f.vehicle_id) AS run_started_at
FROM (SELECT vehicle_id, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS geom
      FROM unnest($1::int[], $2::float8[], $3::float8[]) AS t(vehicle_id, lon, lat)) f`

/**
 * Server-side alert rules. The process that ingests a fix judges it; the offline check runs
 * in every process. Raising goes through a unique index on active conditions, so however
 * many processes see the same thing, one row is written and one NOTIFY announces it.
 */
export class AlertEngine {
  /** active conditions, as announced on NOTIFY: vehicleId → kinds */
  private readonly active = new Map<number, Set<AlertKind>>()

  constructor(
    private readonly db: Db,
    readonly rules: AlertRules,
  ) {}

  async load(): Promise<void> {
    const r = await this.db.query<{ vehicle_id: number; kind: AlertKind }>('SELECT vehicle_id, kind FROM vehicle_alerts WHERE ended_at IS NULL')
    for (const row of r.rows) this.mark(row.vehicle_id, row.kind, true)
  }

  /** Keeps the active set in step with what any process announced. */
  heard(alert: VehicleAlert): void {
    this.mark(alert.vehicleId, alert.kind, alert.endedAt === null)
  }

  isActive(vehicleId: number, kind: AlertKind): boolean {
    return this.active.get(vehicleId)?.has(kind) ?? false
  }

  private mark(vehicleId: number, kind: AlertKind, on: boolean) {
    let kinds = this.active.get(vehicleId)
    if (!kinds) this.active.set(vehicleId, (kinds = new Set()))
    if (on) kinds.add(kind)
    else kinds.delete(kind)
  }

  /** Judges the newest fixes of a just-ingested batch. */
  async evaluate(fixes: LatestFix[], onDispatch: (vehicleId: number) => boolean = () => false, now = Date.now()): Promise<void> {
    if (!fixes.length) return
    const facts = await this.db.query<Facts>(FACTS, [
      fixes.map((f) => f.vehicleId), fixes.map((f) => f.lon), fixes.map((f) => f.lat), this.rules.stopRadiusMeters,
    ])
    const byId = new Map(facts.rows.map((r) => [r.vehicle_id, r]))
    // trucks that just left the station: their runs start in one statement, not one each (a
    // whole fleet's first fixes of the day, or of a platform that just took them on)
    const leaving: LatestFix[] = []
    for (const f of fixes) {
      const fact = byId.get(f.vehicleId)
      const stoodMin = f.stationarySince ? (now - Date.parse(f.stationarySince)) / 60_000 : 0
      const routeM = fact?.route_m ?? null
      await this.settle(f, 'offline', false, '')
      await this.settle(f, 'overspeed', f.speedKmh > this.rules.speedLimitKmh,
        `超速 ${f.speedKmh.toFixed(0)} km/h (限速 ${this.rules.speedLimitKmh})`)
      await this.settle(f, 'offRoute', routeM !== null && routeM > this.rules.offRouteMeters && !onDispatch(f.vehicleId),
        `偏离指定路线 ${Math.round(routeM ?? 0)} 米`)
      await this.settle(f, 'dwell', stoodMin >= this.rules.dwellMinutes && !fact?.at_stop,
        `在收集点外停留 ${Math.floor(stoodMin)} 分钟`)
      if (fact && !fact.at_depot && fact.run_started_at === null) leaving.push(f)
      else if (fact) await this.followRun(f, fact)
    }
    if (leaving.length) {
      await this.db.query(
        `UPDATE vehicle_latest l SET run_started_at = u.time FROM unnest($1::int[], $2::timestamptz[]) AS u(vehicle_id, time)
          WHERE l.vehicle_id = u.vehicle_id AND l.run_started_at IS NULL`,
        [leaving.map((f) => f.vehicleId), leaving.map((f) => f.time)])
    }
  }

  /**
   * A run starts when the truck leaves the transfer station and ends when it is back. The
   * start is written once per run, and read back with the batch's other facts, so the hot path
   * writes nothing while a truck simply drives on or stands in the yard.
   */
  private async followRun(f: LatestFix, fact: Facts): Promise<void> {
    const started = fact.run_started_at
    // away from the station with a run started (a run starting is written by evaluate, batched)
    if (!fact.at_depot || started === null) return
    // Whoever clears the mark ends the run: two processes back at the station judge it once.
    const ended = await this.db.query('UPDATE vehicle_latest SET run_started_at = NULL WHERE vehicle_id = $1 AND run_started_at = $2 RETURNING vehicle_id', [f.vehicleId, started])
    if (!ended.rows.length) return
    // a run shorter than ten minutes is the truck turning in the yard, not a collection run
    if (Date.parse(f.time) - Date.parse(started) < 10 * 60_000) return
    await this.db.query(MISSED, [f.vehicleId, started, f.time, f.lon, f.lat, this.rules.stopRadiusMeters])
  }

  /** Raises offline alerts for vehicles whose newest fix is too old. */
  async checkOffline(latest: Iterable<LatestFix>, now = Date.now()): Promise<void> {
    const limit = this.rules.offlineAfterSeconds * 1000
    for (const f of latest) {
      const silentMs = now - Date.parse(f.time)
      if (silentMs > limit) await this.settle(f, 'offline', true, `${Math.floor(silentMs / 60_000)} 分钟未上报位置`)
    }
  }

  /**
   * A condition the terminal reports itself (the alarm bits of its 0x0200: the emergency
   * button, device faults), raised and ended like the judged ones. detail keeps what the
   * platform needs to confirm it (the terminal and the report's serial, for 0x8203).
   */
  async settleReported(at: ReportedAt, kind: AlertKind, holds: boolean, message: string, detail: object): Promise<void> {
    if (holds === this.isActive(at.vehicleId, kind)) return
    if (holds) await this.db.query(RAISE, [at.vehicleId, kind, message, at.lon, at.lat, at.villageId, JSON.stringify(detail)])
    else await this.db.query(END, [at.vehicleId, kind])
    this.mark(at.vehicleId, kind, holds)
  }

  private async settle(f: LatestFix, kind: AlertKind, holds: boolean, message: string): Promise<void> {
    if (holds === this.isActive(f.vehicleId, kind)) return
    if (holds) {
      await this.db.query(RAISE, [f.vehicleId, kind, message, f.lon, f.lat, f.villageId, JSON.stringify({ speedKmh: f.speedKmh, time: f.time })])
    } else {
      await this.db.query(END, [f.vehicleId, kind])
    }
    // The NOTIFY will say so too; marking now stops the next fix from trying again.
    this.mark(f.vehicleId, kind, holds)
  }
}

export interface ReportedAt {
  vehicleId: number
  /** null: no fix yet, the alert has no place */
  lon: number | null
  lat: number | null
  villageId: number | null
}

export interface AlertFilter {
  /** active: condition still holds or not yet closed; all: everything */
  view: 'open' | 'all'
  villageId: number | null
  vehicleId?: number
  kind?: AlertKind
  limit: number
}

export async function listAlerts(db: Queryable, filter: AlertFilter): Promise<VehicleAlert[]> {
  const r = await db.query<{ alert: VehicleAlert }>(
    `SELECT ${ALERT_JSON} AS alert FROM vehicle_alerts a
     WHERE ($1::text = 'all' OR a.state <> 'closed')
       AND ($2::int IS NULL OR a.village_id = $2) AND ($3::int IS NULL OR a.vehicle_id = $3)
       AND ($5::text IS NULL OR a.kind = $5)
     ORDER BY a.raised_at DESC, a.id DESC LIMIT $4`,
    [filter.view, filter.villageId, filter.vehicleId ?? null, filter.limit, filter.kind ?? null],
  )
  return r.rows.map((row) => row.alert)
}

const NEXT: Record<'acknowledge' | 'close', { from: AlertState[]; to: AlertState; by: string; at: string }> = {
  acknowledge: { from: ['open'], to: 'acknowledged', by: 'acknowledged_by', at: 'acknowledged_at' },
  close: { from: ['open', 'acknowledged'], to: 'closed', by: 'closed_by', at: 'closed_at' },
}

/** A dispatcher's handling of an alert; 409 when it is already past that step. */
export async function handleAlert(db: Db, id: number, action: 'acknowledge' | 'close', username: string): Promise<VehicleAlert> {
  const step = NEXT[action]
  return db.transaction(async (tx) => {
    const cur = await tx.query<{ state: AlertState }>('SELECT state FROM vehicle_alerts WHERE id = $1 FOR UPDATE', [id])
    if (!cur.rows.length) throw notFound(`alert ${id}`)
    if (!step.from.includes(cur.rows[0].state)) throw new HttpError(409, `alert ${id} is ${cur.rows[0].state}; cannot ${action}`)
    const r = await tx.query<{ alert: VehicleAlert }>(
      `WITH a AS (UPDATE vehicle_alerts SET state = $2, ${step.by} = $3, ${step.at} = now() WHERE id = $1 RETURNING *)
       SELECT ${ALERT_JSON} AS alert, pg_notify('${ALERTS_CHANNEL}', ${ALERT_JSON}::text) FROM a`,
      [id, step.to, username],
    )
    // The standard asks the platform to confirm an emergency alarm (0x8203), after which the
    // terminal clears the bit; the command reaches the truck on whichever process holds it.
    if (action === 'acknowledge' && r.rows[0].alert.kind === 'emergency') {
      await tx.query(
        `SELECT pg_notify('${TERMINALS_CHANNEL}', json_build_object('phone', t.phone, 'command', 'confirmAlarm',
                  'alarmSerial', COALESCE((a.detail->>'alarmSerial')::int, 0), 'types', 1)::text)
           FROM vehicle_alerts a JOIN terminals t ON t.vehicle_id = a.vehicle_id WHERE a.id = $1`, [id])
    }
    return r.rows[0].alert
  })
}
