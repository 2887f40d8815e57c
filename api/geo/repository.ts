import type { Queryable } from '../db/types.ts'
import type {
  Facilities,
  BBox, GridCollection, GridProps, HouseholdCollection, LonLat, RoadCollection, TownFeature, VillageCollection,
} from '../../geo/types.ts'
import type { FeatureCollection, LineString, Point, Polygon } from 'geojson'
import { maskAddress, maskPhone } from '../privacy/mask.ts'

// Geometry leaves PostGIS as GeoJSON with 7 decimals (~1 cm), parsed by the driver as json.

/**
 * One town's outline; without an id the first town (the demo's only one) that has one. A town
 * named before its villages are imported has no outline yet: geometry and bbox null.
 */
export async function getTown(db: Queryable, id: number | null = null): Promise<TownFeature | null> {
  const r = await db.query<{ id: number; code: string; name: string; geometry: Polygon | null; bbox: BBox | null }>(
    `SELECT id, code, name, ST_AsGeoJSON(geom, 7)::json AS geometry,
            CASE WHEN geom IS NOT NULL THEN json_build_array(ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)) END AS bbox
       FROM towns WHERE ($1::int IS NULL OR id = $1) ORDER BY geom IS NULL, id LIMIT 1`,
    [id],
  )
  const t = r.rows[0]
  if (!t) return null
  return { type: 'Feature', id: t.id, geometry: t.geometry, properties: { id: t.id, code: t.code, name: t.name, bbox: t.bbox } }
}

/** The villages of one town, or of the county when `townId` is null. */
export async function listVillages(db: Queryable, townId: number | null = null): Promise<VillageCollection> {
  const r = await db.query<{
    id: number; town_id: number; code: string; name: string; geometry: Polygon; label: LonLat
    grid_count: number; households: number; residents: number
  }>(
    // households and registered residents from the grid roll-ups (migration 029): a county's
    // million residents are not counted again for every map that opens
    `WITH g AS (SELECT gr.village_id, count(*) AS n, sum(ru.households) AS households, sum(ru.residents) AS residents
                  FROM grids gr LEFT JOIN grid_rollup ru ON ru.grid_id = gr.id WHERE gr.retired_at IS NULL GROUP BY gr.village_id)
     SELECT v.id, v.town_id, v.code, v.name, ST_AsGeoJSON(v.geom, 7)::json AS geometry,
            json_build_array(ST_X(v.label_point), ST_Y(v.label_point)) AS label,
            coalesce(g.n, 0) AS grid_count, coalesce(g.households, 0) AS households, coalesce(g.residents, 0) AS residents
       FROM villages v LEFT JOIN g ON g.village_id = v.id
      WHERE ($1::int IS NULL OR v.town_id = $1)
      ORDER BY v.id`,
    [townId],
  )
  return {
    type: 'FeatureCollection',
    features: r.rows.map((v) => ({
      type: 'Feature',
      id: v.id,
      geometry: v.geometry,
      properties: {
        id: v.id, townId: v.town_id, code: v.code, name: v.name, gridCount: v.grid_count,
        households: v.households, residents: v.residents, label: v.label,
      },
    })),
  }
}

export async function villageExists(db: Queryable, id: number): Promise<boolean> {
  return (await db.query('SELECT 1 FROM villages WHERE id = $1', [id])).rows.length > 0
}

export async function gridExists(db: Queryable, id: number): Promise<boolean> {
  return (await db.query('SELECT 1 FROM grids WHERE id = $1', [id])).rows.length > 0
}

export async function listGrids(db: Queryable, villageId?: number, townId: number | null = null): Promise<GridCollection> {
  const r = await db.query<{
    id: number; code: string; name: string; village_id: number; village_name: string; kind: GridProps['kind']
    worker_name: string; worker_phone: string; geometry: Polygon; label: LonLat; households: number; residents: number
  }>(
    `SELECT g.id, g.code, g.name, g.village_id, v.name AS village_name, g.kind,
            g.grid_worker_name AS worker_name, g.grid_worker_phone AS worker_phone,
            ST_AsGeoJSON(g.geom, 7)::json AS geometry,
            json_build_array(ST_X(g.label_point), ST_Y(g.label_point)) AS label,
            coalesce(ru.households, 0) AS households, coalesce(ru.residents, 0) AS residents
       FROM grids g JOIN villages v ON v.id = g.village_id
       LEFT JOIN grid_rollup ru ON ru.grid_id = g.id -- the counts from the grid roll-ups (029)
      WHERE ($1::int IS NULL OR g.village_id = $1) AND ($2::int IS NULL OR v.town_id = $2) AND g.retired_at IS NULL
      ORDER BY g.id`,
    [villageId ?? null, townId],
  )
  return {
    type: 'FeatureCollection',
    features: r.rows.map((g) => ({
      type: 'Feature',
      id: g.id,
      geometry: g.geometry,
      properties: {
        id: g.id, code: g.code, name: g.name, villageId: g.village_id, villageName: g.village_name, kind: g.kind,
        households: g.households, residents: g.residents,
        gridWorker: { name: g.worker_name, phone: maskPhone(g.worker_phone) },
        label: g.label,
      },
    })),
  }
}

/**
 * One grid's households as points. Those of the grid still waiting for their point (待落图) are
 * not features: they are listed by GET /api/households?unplaced=1 until someone places them.
 * `careGroups: false` (the wall's display role) leaves out which households hold care-group members.
 */
export async function listHouseholds(db: Queryable, gridId: number, show: { careGroups: boolean }): Promise<HouseholdCollection> {
  const r = await db.query<{
    id: number; grid_id: number; address: string; house_number: string; geometry: Point
    members: number; care_group: boolean; party_member: boolean
  }>(
    `SELECT h.id, h.grid_id, h.address, h.house_number, ST_AsGeoJSON(h.geom, 7)::json AS geometry,
            (SELECT count(*) FROM residents r WHERE r.household_id = h.id AND r.deregistered IS NULL) AS members,
            EXISTS (SELECT 1 FROM residents r JOIN resident_tags t ON t.resident_id = r.id
                     WHERE r.household_id = h.id AND r.deregistered IS NULL AND t.kind = 'care') AS care_group,
            EXISTS (SELECT 1 FROM residents r WHERE r.household_id = h.id AND r.deregistered IS NULL AND r.party_member) AS party_member
       FROM households h WHERE h.grid_id = $1 AND h.geom IS NOT NULL ORDER BY h.id`,
    [gridId],
  )
  return {
    type: 'FeatureCollection',
    features: r.rows.map((h) => ({
      type: 'Feature',
      id: h.id,
      geometry: h.geometry,
      properties: {
        id: h.id, gridId: h.grid_id, address: maskAddress(h.address, h.house_number),
        members: h.members, ...(show.careGroups ? { careGroup: h.care_group } : {}), partyMember: h.party_member,
      },
    })),
  }
}

export async function listRoads(db: Queryable): Promise<RoadCollection> {
  const r = await db.query<{ id: number; name: string; kind: 'county' | 'town' | 'village'; geometry: LineString }>(
    `SELECT id, name, kind, ST_AsGeoJSON(geom, 7)::json AS geometry FROM roads ORDER BY id`,
  )
  return {
    type: 'FeatureCollection',
    features: r.rows.map((x) => ({
      type: 'Feature', id: x.id, geometry: x.geometry, properties: { id: x.id, name: x.name, kind: x.kind },
    })),
  }
}

/** Collection points, transfer stations (not retired) and cameras, one query each, as GeoJSON points. */
export async function listFacilities(db: Queryable): Promise<Facilities> {
  const points = <R extends { lon: number; lat: number }, P>(rows: R[], props: (r: R) => P): FeatureCollection<Point, P> => ({
    type: 'FeatureCollection',
    features: rows.map((r) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [r.lon, r.lat] }, properties: props(r) })),
  })
  const xy = 'round(ST_X(geom)::numeric, 7)::float8 AS lon, round(ST_Y(geom)::numeric, 7)::float8 AS lat'
  const [cp, ts, cam] = await Promise.all([
    db.query<{ id: number; name: string; village_id: number; grid_id: number; bins: number; lon: number; lat: number }>(
      `SELECT id, name, village_id, grid_id, bins, ${xy} FROM collection_points WHERE retired_at IS NULL ORDER BY id`),
    db.query<{ id: number; name: string; lon: number; lat: number }>(`SELECT id, name, ${xy} FROM transfer_stations WHERE retired_at IS NULL ORDER BY id`),
    db.query<{ id: number; name: string; kind: 'high' | 'low' | 'face'; online: boolean; grid_id: number; lon: number; lat: number }>(
      `SELECT id, name, kind, online, grid_id, ${xy} FROM cameras ORDER BY id`),
  ])
  return {
    collectionPoints: points(cp.rows, (r) => ({ id: r.id, name: r.name, villageId: r.village_id, gridId: r.grid_id, bins: r.bins })),
    transferStations: points(ts.rows, (r) => ({ id: r.id, name: r.name })),
    cameras: points(cam.rows, (r) => ({ id: r.id, name: r.name, kind: r.kind, online: r.online, gridId: r.grid_id })),
  }
}
