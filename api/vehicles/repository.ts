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
  name: string
  driver_name: string
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
export async function listVehicleFacts(db: Queryable, stopRadiusMeters: number, now = Date.now()): Promise<VehicleRow[]> {
  const r = await db.query<VehicleRow>(
    `SELECT v.id, v.plate, v.name, v.driver_name, v.camera_url,
       (SELECT ST_Length(ST_MakeLine(p.geom ORDER BY p.time)::geography)
          FROM vehicle_positions p WHERE p.vehicle_id = v.id AND p.time >= $1) AS distance_m,
       (SELECT count(*) FROM collection_points c
          WHERE c.id = ANY(r.collection_point_ids)
            AND EXISTS (SELECT 1 FROM vehicle_positions p
                        WHERE p.vehicle_id = v.id AND p.time >= $1 AND p.speed_kmh < 5
                          AND ST_DWithin(p.geom::geography, c.geom::geography, $2)))::int AS points_visited,
       coalesce(cardinality(r.collection_point_ids), 0) AS points_on_route
     FROM vehicles v LEFT JOIN vehicle_routes r ON r.vehicle_id = v.id
     ORDER BY v.id`,
    [shanghaiMidnight(now).toISOString(), stopRadiusMeters],
  )
  return r.rows
}

export function toSummary(row: VehicleRow, fix: LatestFix | undefined, offlineAfterSeconds: number, now = Date.now()): VehicleSummary {
  return {
    id: row.id,
    plate: row.plate,
    name: row.name,
    driverName: row.driver_name,
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
  const r = await db.query<{ coords: string | [number, number, number][] | null; speeds: number[] | null; distance_m: number | null; points: number }>(
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
  const coords = (row?.coords ? (typeof row.coords === 'string' ? JSON.parse(row.coords) : row.coords) : []) as [number, number, number][]
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
