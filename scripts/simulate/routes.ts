import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'

export type LonLat = [number, number]

/** A truck's daily run as the simulator drives it: the road path and where it must stop. */
export interface SimRoute {
  vehicleId: number
  path: LonLat[]
  /** collection points on the run, then the transfer station */
  stops: LonLat[]
  depot: LonLat
}

const readRows = <T>(dir: string, file: string): T[] =>
  gunzipSync(readFileSync(join(dir, file)))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T)

const parsePoint = (ewkt: string): LonLat => {
  const m = /POINT\(([-\d.]+) ([-\d.]+)\)/.exec(ewkt)
  if (!m) throw new Error(`not a point: ${ewkt.slice(0, 60)}`)
  return [Number(m[1]), Number(m[2])]
}
const parseLine = (ewkt: string): LonLat[] => {
  const m = /LINESTRING\((.+)\)/.exec(ewkt)
  if (!m) throw new Error(`not a linestring: ${ewkt.slice(0, 60)}`)
  return m[1].split(',').map((pair) => pair.trim().split(' ').map(Number) as LonLat)
}

/** Collection points by name: a dispatch text names the point, the simulated driver finds it. */
export function loadCollectionPoints(fixturesDir: string): Map<string, LonLat> {
  return new Map(readRows<{ name: string; geom: string }>(fixturesDir, 'collection_points.ndjson.gz').map((c) => [c.name, parsePoint(c.geom)]))
}

/** The trucks' plates by vehicle id: a simulated unit says its truck's plate when it registers. */
export function loadPlates(fixturesDir: string): Map<number, string> {
  return new Map(readRows<{ id: number; plate: string }>(fixturesDir, 'vehicles.ndjson.gz').map((v) => [v.id, v.plate]))
}

/**
 * The demo township's truck runs, read from the generated fixtures (the same files the
 * database was loaded from), so the simulator needs no read access to the API: it only
 * sends positions, like a real terminal.
 */
export function loadRoutes(fixturesDir: string): SimRoute[] {
  const points = new Map(readRows<{ id: number; geom: string }>(fixturesDir, 'collection_points.ndjson.gz').map((c) => [c.id, parsePoint(c.geom)]))
  const [station] = readRows<{ geom: string }>(fixturesDir, 'transfer_stations.ndjson.gz')
  const depot = parsePoint(station.geom)
  return readRows<{ vehicle_id: number; collection_point_ids: number[]; geom: string }>(fixturesDir, 'vehicle_routes.ndjson.gz')
    .map((r) => ({
      vehicleId: r.vehicle_id,
      path: parseLine(r.geom),
      stops: [...r.collection_point_ids.map((id) => points.get(id)!).filter(Boolean), depot],
      depot,
    }))
    .sort((a, b) => a.vehicleId - b.vehicleId)
}
