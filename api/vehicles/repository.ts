import type { Queryable } from '../db/types.ts'
import type { VehicleStatus, VehicleSummary, VehicleTrack as Track } from '../../geo/vehicles.ts'
import type { LatestFix } from './ingest.ts'
import { shanghaiMidnight } from '../../geo/time.ts'


export function vehicleStatus(fix: LatestFix | undefined, offlineAfterSeconds: number, now = Date.now()): VehicleStatus {
  if (!fix) return 'noSignal'
  if (now - Date.parse(fix.time) > offlineAfterSeconds * 1000) return 'offline'
  return fix.speedKmh >= 3 ? 'moving' : 'stopped'
}

interface VehicleRow {
  id: number
  plate: string
  kind: string
  name: string
  driver_name: string
  driver_phone: string | null
  /** the town it serves; null: the county's fleet */
  town_id: number | null
  camera_url: string | null
  distance_m: number | null
  points_visited: number
  points_on_route: number
}

/**
 * Vehicles with today's distance (length of today's track) and collection coverage (route
 * points the truck stood near today). The live position and status come from the caller,
 * who holds the newest fixes in memory.
 */
export async function listVehicleFacts(db: Queryable, stopRadiusMeters: number, now = Date.now(), until?: Date): Promise<VehicleRow[]> {
  const r = await db.query<VehicleRow>(
    `SELECT v.id, v.plate, v.kind, v.name, v.driver_name, v.driver_phone, v.town_id, v.camera_url,
       (SELECT ST_Length(ST_MakeLine(p.geom ORDER BY p.time)::geography)
          FROM vehicle_positions p WHERE p.vehicle_id = v.id AND p.time >= $1 AND p.time < $3) AS distance_m,
       (SELECT count(*) FROM collection_points c
          WHERE c.id = ANY(r.collection_point_ids)
            AND EXISTS (SELECT 1 FROM vehicle_positions p
                        WHERE p.vehicle_id = v.id AND p.time >= $1 AND p.time < $3 AND p.speed_kmh < 5
                          AND ST_DWithin(p.geom::geography, c.geom::geography, $2)))::int AS points_visited,
       coalesce(cardinality(r.collection_point_ids), 0) AS points_on_route
     FROM vehicles v LEFT JOIN vehicle_routes r ON r.vehicle_id = v.id
     -- the trucks on the road then: a truck retired during a past day is still in that day's report
     WHERE v.retired_at IS NULL OR ($3::timestamptz < 'infinity'::timestamptz AND v.retired_at > $1::timestamptz)
     ORDER BY v.id`,
    [shanghaiMidnight(now).toISOString(), stopRadiusMeters, until ? until.toISOString() : 'infinity'],
  )
  return r.rows
}

export interface Stop {
  start: string
  end: string
  minutes: number
  lon: number
  lat: number
  /** the collection point or transfer station it stood at, if any */
  place: { kind: 'collectionPoint' | 'transferStation'; id: number; name: string } | null
}

/**
 * Where a truck stood still (under 3 km/h) for at least `minSeconds`: consecutive slow fixes
 * form one stop (gaps and islands over the time-ordered track), named after the collection
 * point or transfer station it stood at.
 */
export async function listStops(db: Queryable, vehicleId: number, from: Date, to: Date, minSeconds: number, radiusMeters: number): Promise<Stop[]> {
  const r = await db.query<{ start: Date | string; end: Date | string; lon: number; lat: number; place_kind: string | null; place_id: number | null; place_name: string | null }>(
    `WITH p AS (
       SELECT time, geom, speed_kmh < 3 AS still FROM vehicle_positions
       WHERE vehicle_id = $1 AND time >= $2 AND time <= $3
     ), g AS (
       SELECT *, sum(CASE WHEN still THEN 0 ELSE 1 END) OVER (ORDER BY time) AS island FROM p
     ), s AS (
       SELECT min(time) AS start, max(time) AS "end", ST_Centroid(ST_Collect(geom)) AS at
       FROM g WHERE still GROUP BY island
       HAVING max(time) - min(time) >= make_interval(secs => $4)
     )
     SELECT s.start, s."end", ST_X(s.at) AS lon, ST_Y(s.at) AS lat, pl.kind AS place_kind, pl.id AS place_id, pl.name AS place_name
     FROM s LEFT JOIN LATERAL (
       SELECT * FROM (
         SELECT 'collectionPoint' AS kind, c.id, c.name, ST_Distance(c.geom::geography, s.at::geography) AS d FROM collection_points c
         UNION ALL
         SELECT 'transferStation', t.id, t.name, ST_Distance(t.geom::geography, s.at::geography) FROM transfer_stations t
       ) x WHERE x.d <= $5 ORDER BY x.d LIMIT 1
     ) pl ON true
     ORDER BY s.start`,
    [vehicleId, from.toISOString(), to.toISOString(), minSeconds, radiusMeters],
  )
  return r.rows.map((row) => {
    const start = new Date(row.start)
    const end = new Date(row.end)
    return {
      start: start.toISOString(),
      end: end.toISOString(),
      minutes: Math.round((end.getTime() - start.getTime()) / 6000) / 10,
      lon: row.lon,
      lat: row.lat,
      place: row.place_kind ? { kind: row.place_kind as 'collectionPoint' | 'transferStation', id: row.place_id!, name: row.place_name! } : null,
    }
  })
}

export function toSummary(row: VehicleRow, fix: LatestFix | undefined, offlineAfterSeconds: number, now = Date.now()): VehicleSummary {
  return {
    id: row.id,
    plate: row.plate,
    kind: row.kind,
    name: row.name,
    driverName: row.driver_name,
    driverPhone: row.driver_phone,
    cameraUrl: row.camera_url,
    status: vehicleStatus(fix, offlineAfterSeconds, now),
    position: fix ? { vehicleId: fix.vehicleId, time: fix.time, lon: fix.lon, lat: fix.lat, speedKmh: fix.speedKmh, heading: fix.heading } : null,
    villageId: fix?.villageId ?? null,
    distanceTodayKm: Math.round((row.distance_m ?? 0) / 100) / 10,
    pointsVisitedToday: row.points_visited,
    pointsOnRoute: row.points_on_route,
  }
}

export async function loadLatest(db: Queryable): Promise<LatestFix[]> {
  const r = await db.query<{
    vehicle_id: number; time: Date | string; lon: number; lat: number; speed_kmh: number; heading: number
    village_id: number | null; stationary_since: Date | string | null
  }>('SELECT vehicle_id, time, ST_X(geom) AS lon, ST_Y(geom) AS lat, speed_kmh, heading, village_id, stationary_since FROM vehicle_latest')
  return r.rows.map((l) => ({
    vehicleId: l.vehicle_id, time: new Date(l.time).toISOString(), lon: l.lon, lat: l.lat, speedKmh: l.speed_kmh,
    heading: l.heading, villageId: l.village_id, stationarySince: l.stationary_since ? new Date(l.stationary_since).toISOString() : null,
  }))
}


/**
 * A vehicle's track for a time range as a GeoJSON LineString, with the time (epoch ms) and
 * speed of every vertex for playback. `simplifyMeters` > 0 drops vertices PostGIS finds
 * redundant (ST_Simplify on a LineStringM keeps each kept vertex's time in M).
 */
export async function getTrack(db: Queryable, vehicleId: number, from: Date, to: Date, simplifyMeters: number): Promise<Track> {
  const r = await db.query<{ coords: [number, number, number][] | null; speeds: number[] | null; distance_m: number | null; points: number }>(
    `WITH p AS (
       SELECT geom, time, speed_kmh FROM vehicle_positions
       WHERE vehicle_id = $1 AND time >= $2 AND time <= $3 ORDER BY time
     ), line AS (
       SELECT ST_MakeLine(ST_MakePointM(ST_X(geom), ST_Y(geom), extract(epoch FROM time) * 1000) ORDER BY time) AS g,
              array_agg(speed_kmh ORDER BY time) AS speeds, count(*)::int AS points
       FROM p
     ), kept AS (
       SELECT CASE WHEN $4 > 0 AND points > 2 THEN ST_Simplify(g, $4 / 111320.0, true) ELSE g END AS g, speeds, points FROM line
     )
     SELECT (SELECT json_agg(json_build_array(round(ST_X(d.geom)::numeric, 7), round(ST_Y(d.geom)::numeric, 7), ST_M(d.geom)) ORDER BY d.path)
               FROM ST_DumpPoints(kept.g) d) AS coords,
            CASE WHEN $4 > 0 THEN NULL ELSE kept.speeds END AS speeds,
            ST_Length(ST_Force2D(kept.g)::geography) AS distance_m, kept.points
     FROM kept`,
    [vehicleId, from.toISOString(), to.toISOString(), simplifyMeters],
  )
  const row = r.rows[0]
  const coords = row?.coords ?? []
  // A single fix makes a one-point "line"; GeoJSON wants two, so it is drawn twice.
  const pts = coords.length === 1 ? [coords[0], coords[0]] : coords
  return {
    type: 'Feature',
    geometry: { type: 'LineString', coordinates: pts.map(([x, y]) => [Number(x), Number(y)]) },
    properties: {
      vehicleId,
      from: from.toISOString(),
      to: to.toISOString(),
      points: row?.points ?? 0,
      times: pts.map((c) => Math.round(Number(c[2]))),
      speeds: row?.speeds ?? [],
      distanceKm: Math.round((row?.distance_m ?? 0) / 100) / 10,
    },
  }
}
