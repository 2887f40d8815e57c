import gcoord from 'gcoord'
import type { Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { ownTown } from '../access/scope.ts'
import type { Table } from '../imports/table-reader.ts'
import { locateColumns, type ColumnSpec } from '../imports/columns.ts'
import { normalPlate, PLATE_RULE, plateKey, vehicleKindLabel, vehicleKindOf, VEHICLE_KINDS, type VehicleKind } from '../../geo/fleet.ts'
import { activePlates } from './vehicles.ts'

export interface RowError {
  /** the file's line (header = line 1) */
  row: number
  column: string
  reason: string
}

const VILLAGE_NAMES = ['所属村', '村', '村名', '村名称', '村(社区)', '村编码', '村代码']
export const VEHICLE_COLUMNS: readonly ColumnSpec[] = [
  { key: 'plate', names: ['车牌号', '车牌', '车牌号码'], required: true },
  { key: 'kind', names: ['车辆类型', '类型', '车型'], required: true },
  { key: 'name', names: ['名称', '车辆名称', '车辆编号'] },
  { key: 'driver', names: ['驾驶员', '司机', '驾驶员姓名'], required: true },
  { key: 'phone', names: ['联系电话', '电话', '手机', '驾驶员电话'] },
  { key: 'village', names: VILLAGE_NAMES },
]
export const POINT_COLUMNS: readonly ColumnSpec[] = [
  { key: 'name', names: ['名称', '收集点', '收集点名称'], required: true },
  { key: 'village', names: VILLAGE_NAMES, required: true },
  { key: 'lon', names: ['经度', 'lon', 'lng', 'longitude'], required: true },
  { key: 'lat', names: ['纬度', 'lat', 'latitude'], required: true },
  { key: 'bins', names: ['垃圾桶数', '桶数', '容量'] },
]
const first = (specs: readonly ColumnSpec[], key: string) => specs.find((s) => s.key === key)!.names[0]
const PHONE = /^[0-9-]{7,20}$/

export interface VehicleRow {
  row: number
  plate: string
  kind: VehicleKind
  kindLabel: string
  name: string
  driverName: string
  driverPhone: string | null
  villageId: number | null
  villageName: string | null
  townId: number | null
}

export interface PointRow {
  row: number
  name: string
  villageId: number
  villageName: string
  gridId: number
  lon: number
  lat: number
  bins: number
}

interface Village { id: number; name: string; town_id: number }

/**
 * 所属村 by code or name, within the caller's reach (a town's account: its town's villages). A
 * name two villages share (in different towns) must be given as the code.
 */
async function villageFinder(db: Queryable, user: AuthUser): Promise<(text: string) => Village | string> {
  const rows = (await db.query<Village & { code: string }>('SELECT id, code, name, town_id FROM villages')).rows
  const town = ownTown(user)
  return (text) => {
    const hits = rows.filter((v) => v.code === text || v.name === text)
    if (!hits.length) return `"${text}" is not a village's name or code`
    if (hits.length > 1) return `several villages are named ${text}: give its code`
    if (town !== null && hits[0].town_id !== town) return `${text} is outside your town`
    return hits[0]
  }
}

/** The header against the specs: a (file) error, or the columns found. */
function header(table: Table, specs: readonly ColumnSpec[], errors: RowError[]): Record<string, number> | null {
  const cols = locateColumns(table.header, specs)
  const expected = specs.map((s) => (s.required ? s.names[0] : `[${s.names[0]}]`)).join(',')
  if (!table.header.length) errors.push({ row: 1, column: '(file)', reason: 'the file is empty' })
  else if (cols.missing.length) errors.push({ row: 1, column: '(file)', reason: `column ${cols.missing.join(', ')} is missing (the header must hold ${expected})` })
  if (cols.twice.length) errors.push({ row: 1, column: '(file)', reason: `columns named twice: ${cols.twice.join(', ')}` })
  if (!errors.length && !table.rows.length) errors.push({ row: 1, column: '(file)', reason: 'the file has no rows under its header' })
  return errors.length ? null : cols.at
}

/** 车牌号,车辆类型,名称,驾驶员,联系电话,所属村: every row checked, all problems at once. */
export async function checkVehicleRows(db: Queryable, user: AuthUser, table: Table): Promise<{ vehicles: VehicleRow[]; errors: RowError[] }> {
  const errors: RowError[] = []
  const at = header(table, VEHICLE_COLUMNS, errors)
  if (!at) return { vehicles: [], errors }
  const cell = (cells: string[], key: string) => (key in at ? String(cells[at[key]] ?? '').trim() : '')
  const col = (key: string) => first(VEHICLE_COLUMNS, key)
  const village = await villageFinder(db, user)
  const onRoad = await activePlates(db, table.rows.map((r) => cell(r, 'plate')).filter((p) => normalPlate(p)))
  const seen = new Map<string, number>()
  const vehicles: VehicleRow[] = []
  const town = ownTown(user)
  table.rows.forEach((cells, i) => {
    const row = i + 2
    const before = errors.length
    const fail = (key: string, reason: string) => errors.push({ row, column: col(key), reason })
    const plateText = cell(cells, 'plate')
    const plate = normalPlate(plateText)
    if (!plate) fail('plate', plateText ? `"${plateText}" is not a Chinese plate (${PLATE_RULE})` : 'is required')
    else if (seen.has(plateKey(plate))) fail('plate', `${plate} is also on line ${seen.get(plateKey(plate))}`)
    else if (onRoad.has(plateKey(plate))) fail('plate', `${plate} is already on vehicle ${onRoad.get(plateKey(plate))} (retire that one first)`)
    if (plate && !seen.has(plateKey(plate))) seen.set(plateKey(plate), row)
    const kindText = cell(cells, 'kind')
    const kind = vehicleKindOf(kindText)
    if (!kind) fail('kind', kindText ? `"${kindText}" is not a kind: ${VEHICLE_KINDS.map((k) => k.label).join(', ')}` : 'is required')
    const name = cell(cells, 'name') || plate || ''
    if (name.length > 40) fail('name', 'must be at most 40 characters')
    const driverName = cell(cells, 'driver')
    if (!driverName || driverName.length > 20) fail('driver', driverName ? 'must be at most 20 characters' : 'is required')
    const phone = cell(cells, 'phone')
    if (phone && !PHONE.test(phone)) fail('phone', `"${phone}" is not a phone number (digits and -)`)
    const villageText = cell(cells, 'village')
    const v = villageText ? village(villageText) : null
    if (typeof v === 'string') fail('village', v)
    if (errors.length === before && plate && kind) {
      const place = v && typeof v !== 'string' ? v : null
      vehicles.push({
        row, plate, kind, kindLabel: vehicleKindLabel(kind), name, driverName, driverPhone: phone || null,
        villageId: place?.id ?? null, villageName: place?.name ?? null, townId: place?.town_id ?? town,
      })
    }
  })
  return { vehicles, errors }
}

/**
 * 名称,所属村,经度,纬度[,垃圾桶数]: each point must stand in a grid of the village it names
 * (WGS-84, or GCJ-02 from 高德/腾讯 maps converted here); one query locates every row.
 */
export async function checkPointRows(db: Queryable, user: AuthUser, table: Table, crs: 'wgs84' | 'gcj02'): Promise<{ points: PointRow[]; errors: RowError[] }> {
  const errors: RowError[] = []
  const at = header(table, POINT_COLUMNS, errors)
  if (!at) return { points: [], errors }
  const cell = (cells: string[], key: string) => (key in at ? String(cells[at[key]] ?? '').trim() : '')
  const col = (key: string) => first(POINT_COLUMNS, key)
  const village = await villageFinder(db, user)
  const candidates: (PointRow & { ok: boolean })[] = []
  table.rows.forEach((cells, i) => {
    const row = i + 2
    const before = errors.length
    const fail = (key: string, reason: string) => errors.push({ row, column: col(key), reason })
    const name = cell(cells, 'name')
    if (!name || name.length > 40) fail('name', name ? 'must be at most 40 characters' : 'is required')
    const v = village(cell(cells, 'village') || '')
    if (!cell(cells, 'village')) fail('village', 'is required')
    else if (typeof v === 'string') fail('village', v)
    const lon = Number(cell(cells, 'lon'))
    const lat = Number(cell(cells, 'lat'))
    if (!cell(cells, 'lon') || !Number.isFinite(lon) || lon < -180 || lon > 180) fail('lon', `"${cell(cells, 'lon')}" is not a longitude`)
    if (!cell(cells, 'lat') || !Number.isFinite(lat) || lat < -90 || lat > 90) fail('lat', `"${cell(cells, 'lat')}" is not a latitude`)
    const binsText = cell(cells, 'bins')
    const bins = binsText ? Number(binsText) : 1
    if (!Number.isInteger(bins) || bins < 1 || bins > 500) fail('bins', `"${binsText}" is not a count from 1 to 500`)
    if (errors.length > before || typeof v === 'string') return
    const [x, y] = crs === 'gcj02' ? (gcoord.transform([lon, lat], gcoord.GCJ02, gcoord.WGS84) as [number, number]) : [lon, lat]
    candidates.push({ row, name, villageId: v.id, villageName: v.name, gridId: 0, lon: x, lat: y, bins, ok: false })
  })
  if (candidates.length) {
    // the grid each point stands in within its named village (base grids first), and the village it is in otherwise
    const r = await db.query<{ i: number; grid_id: number | null; elsewhere: string | null }>(
      `SELECT u.i, (SELECT g.id FROM grids g WHERE g.retired_at IS NULL AND g.village_id = u.village_id AND ST_Covers(g.geom, u.p)
                     ORDER BY g.kind = 'base' DESC, g.id LIMIT 1) AS grid_id,
              (SELECT v.name FROM grids g JOIN villages v ON v.id = g.village_id WHERE g.retired_at IS NULL AND ST_Covers(g.geom, u.p) LIMIT 1) AS elsewhere
         FROM (SELECT i, village_id, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS p
                 FROM unnest($1::int[], $2::int[], $3::float8[], $4::float8[]) AS x(i, village_id, lon, lat)) u`,
      [candidates.map((_, i) => i), candidates.map((c) => c.villageId), candidates.map((c) => c.lon), candidates.map((c) => c.lat)])
    for (const g of r.rows) {
      const c = candidates[g.i]
      if (g.grid_id !== null) Object.assign(c, { gridId: g.grid_id, ok: true })
      else errors.push({
        row: c.row, column: col('lon'),
        reason: g.elsewhere ? `(${c.lon.toFixed(6)}, ${c.lat.toFixed(6)}) lies in ${g.elsewhere}, not in ${c.villageName}` : `(${c.lon.toFixed(6)}, ${c.lat.toFixed(6)}) lies outside every grid${crs === 'wgs84' ? ' (GCJ-02 coordinates from 高德/腾讯? choose GCJ-02)' : ''}`,
      })
    }
  }
  errors.sort((a, b) => a.row - b.row)
  return { points: candidates.filter((c) => c.ok).map(({ ok: _ok, ...p }) => p), errors }
}
