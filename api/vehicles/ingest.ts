import gcoord from 'gcoord'
import type { Db } from '../db/types.ts'
import type { PositionInput, VehiclePosition } from '../../geo/vehicles.ts'

/** A fix that moved a vehicle's newest position: what the live map and alert rules need. */
export interface LatestFix extends VehiclePosition {
  villageId: number | null
  /** since when the truck has stood (speed < 3 km/h within 30 m); null while it moves */
  stationarySince: string | null
}

export interface Rejection {
  index: number
  /** the JSON path of the offending field, e.g. positions/3/lat */
  field: string
  message: string
}

export interface IngestResult {
  /** fixes durably stored by this call or an earlier one (resends are idempotent) */
  accepted: number
  duplicates: number
  rejected: Rejection[]
  /** newest fix per vehicle where it is newer than what was stored */
  latest: LatestFix[]
}

export interface IngestOptions {
  crs?: 'wgs84' | 'gcj02'
  /** how far a device clock may run ahead of ours */
  maxFutureSkewMs?: number
  /** fixes older than this are refused: they would be deleted by retention at once */
  maxAgeMs?: number
  now?: number
}

/** pg_notify payloads must stay under 8,000 bytes; ~60 bytes per fix. */
const FIXES_PER_NOTIFY = 100
export const POSITIONS_CHANNEL = 'vehicle_positions'

/** Compact wire form of a LatestFix on the NOTIFY channel. */
export type FixTuple = [number, number, number, number, number, number, number | null, number | null]
export const toTuple = (f: LatestFix): FixTuple => [
  f.vehicleId, Date.parse(f.time), f.lon, f.lat, f.speedKmh, f.heading, f.villageId,
  f.stationarySince ? Date.parse(f.stationarySince) : null,
]
export const fromTuple = (t: FixTuple): LatestFix => ({
  vehicleId: t[0], time: new Date(t[1]).toISOString(), lon: t[2], lat: t[3], speedKmh: t[4], heading: t[5],
  villageId: t[6], stationarySince: t[7] === null ? null : new Date(t[7]).toISOString(),
})

const round7 = (x: number) => Math.round(x * 1e7) / 1e7

interface Valid {
  vehicleId: number
  time: Date
  lon: number
  lat: number
  speedKmh: number
  heading: number
  accuracy: number | null
}

function check(p: PositionInput, i: number, known: Set<number>, opts: Required<Omit<IngestOptions, 'crs'>>): Valid | Rejection {
  const at = (field: string, message: string): Rejection => ({ index: i, field: `positions/${i}/${field}`, message: `positions/${i}/${field} ${message}` })
  if (!known.has(p.vehicleId)) return at('vehicleId', `is not a known vehicle (${p.vehicleId})`)
  const t = Date.parse(p.time)
  if (!Number.isFinite(t)) return at('time', 'must be an ISO 8601 date-time')
  if (t > opts.now + opts.maxFutureSkewMs) return at('time', `is in the future (${p.time})`)
  if (t < opts.now - opts.maxAgeMs) return at('time', `is older than the retention period (${p.time})`)
  if (!(p.lon >= -180 && p.lon <= 180)) return at('lon', 'must be within [-180, 180]')
  if (!(p.lat >= -90 && p.lat <= 90)) return at('lat', 'must be within [-90, 90]')
  // Receivers without a fix report 0,0: it is no position, and would draw a line to Africa.
  if (p.lon === 0 && p.lat === 0) return at('lat', 'is 0,0: the receiver had no fix')
  if (!(p.speedKmh >= 0 && p.speedKmh <= 300)) return at('speedKmh', 'must be within [0, 300]')
  if (!(p.heading >= 0 && p.heading <= 360)) return at('heading', 'must be within [0, 360]')
  if (p.accuracy !== undefined && !(p.accuracy >= 0 && p.accuracy <= 100_000)) return at('accuracy', 'must be within [0, 100000] metres')
  return {
    vehicleId: p.vehicleId, time: new Date(t), lon: p.lon, lat: p.lat,
    speedKmh: p.speedKmh, heading: p.heading % 360, accuracy: p.accuracy ?? null,
  }
}

const INGEST_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::int[], $2::timestamptz[], $3::float8[], $4::float8[], $5::real[], $6::real[], $7::real[])
    AS t(vehicle_id, time, lon, lat, speed_kmh, heading, accuracy)
), inserted AS (
  INSERT INTO vehicle_positions (vehicle_id, time, geom, speed_kmh, heading, accuracy)
  SELECT vehicle_id, time, ST_SetSRID(ST_MakePoint(lon, lat), 4326), speed_kmh, heading, accuracy FROM input
  ON CONFLICT (vehicle_id, time) DO NOTHING
  RETURNING vehicle_id, time, geom, speed_kmh, heading
), newest AS (
  SELECT DISTINCT ON (vehicle_id) * FROM inserted ORDER BY vehicle_id, time DESC
), latest AS (
  INSERT INTO vehicle_latest AS l (vehicle_id, time, geom, speed_kmh, heading, village_id, stationary_since)
  SELECT n.vehicle_id, n.time, n.geom, n.speed_kmh, n.heading,
         (SELECT v.id FROM villages v WHERE ST_Intersects(v.geom, n.geom) ORDER BY v.id LIMIT 1),
         CASE WHEN n.speed_kmh < 3 THEN n.time END
  FROM newest n
  ON CONFLICT (vehicle_id) DO UPDATE SET
    time = excluded.time, geom = excluded.geom, speed_kmh = excluded.speed_kmh, heading = excluded.heading,
    village_id = excluded.village_id,
    stationary_since = CASE
      WHEN excluded.speed_kmh >= 3 THEN NULL
      WHEN l.stationary_since IS NOT NULL AND ST_DWithin(l.geom::geography, excluded.geom::geography, 30) THEN l.stationary_since
      ELSE excluded.time END
  WHERE excluded.time > l.time
  RETURNING l.vehicle_id, l.time, ST_X(l.geom) AS lon, ST_Y(l.geom) AS lat, l.speed_kmh, l.heading, l.village_id, l.stationary_since
)
SELECT (SELECT count(*) FROM inserted)::int AS inserted,
       (SELECT coalesce(json_agg(latest), '[]'::json) FROM latest) AS latest`

interface LatestRow {
  vehicle_id: number
  time: string
  lon: number
  lat: number
  speed_kmh: number
  heading: number
  village_id: number | null
  stationary_since: string | null
}

/**
 * The one way positions enter the system (HTTP ingest, protocol gateways, the simulator):
 * validates each fix, writes the valid ones and the newest-per-vehicle in one transaction,
 * and announces the moves on NOTIFY, which PostgreSQL delivers only after commit, so no
 * screen ever shows a position that is not durably stored. Invalid fixes are reported by
 * index and field; the valid rest of the batch is stored, never half of it.
 */
export async function ingestPositions(db: Db, positions: PositionInput[], options: IngestOptions = {}): Promise<IngestResult> {
  const opts = {
    now: options.now ?? Date.now(),
    maxFutureSkewMs: options.maxFutureSkewMs ?? 120_000,
    maxAgeMs: options.maxAgeMs ?? 90 * 86_400_000,
  }
  const ids = [...new Set(positions.map((p) => p.vehicleId))]
  const known = new Set(
    ids.length ? (await db.query<{ id: number }>('SELECT id FROM vehicles WHERE id = ANY($1::int[]) AND retired_at IS NULL', [ids])).rows.map((r) => r.id) : [],
  )
  const rejected: Rejection[] = []
  const valid: Valid[] = []
  positions.forEach((p, i) => {
    const v = check(p, i, known, opts)
    if ('field' in v) rejected.push(v)
    else valid.push(v)
  })
  if (options.crs === 'gcj02') {
    for (const v of valid) [v.lon, v.lat] = gcoord.transform([v.lon, v.lat], gcoord.GCJ02, gcoord.WGS84) as [number, number]
  }
  if (!valid.length) return { accepted: 0, duplicates: 0, rejected, latest: [] }

  const latest = await db.transaction(async (tx) => {
    const r = await tx.query<{ inserted: number; latest: LatestRow[] }>(INGEST_SQL, [
      valid.map((v) => v.vehicleId), valid.map((v) => v.time.toISOString()),
      valid.map((v) => round7(v.lon)), valid.map((v) => round7(v.lat)),
      valid.map((v) => v.speedKmh), valid.map((v) => v.heading), valid.map((v) => v.accuracy),
    ])
    const row = r.rows[0]
    const rows = row.latest
    const fixes = rows.map((l): LatestFix => ({
      vehicleId: l.vehicle_id, time: new Date(l.time).toISOString(), lon: l.lon, lat: l.lat,
      speedKmh: l.speed_kmh, heading: l.heading, villageId: l.village_id,
      stationarySince: l.stationary_since ? new Date(l.stationary_since).toISOString() : null,
    }))
    for (let i = 0; i < fixes.length; i += FIXES_PER_NOTIFY) {
      await tx.query('SELECT pg_notify($1, $2)', [POSITIONS_CHANNEL, JSON.stringify(fixes.slice(i, i + FIXES_PER_NOTIFY).map(toTuple))])
    }
    return { inserted: row.inserted, fixes }
  })
  return { accepted: valid.length, duplicates: valid.length - latest.inserted, rejected, latest: latest.fixes }
}
