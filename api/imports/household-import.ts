import gcoord from 'gcoord'
import type { Db, Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { HOUSEHOLD_COLUMNS, scopeCondition } from '../access/scope.ts'
import { maskAddress } from '../privacy/mask.ts'
import type { Table } from './table-reader.ts'
import { locateColumns, SLICE, turnsEvery, yieldNow, type ColumnSpec } from './columns.ts'
import { applyHouseholds, type HouseholdPlan } from './household-apply.ts'

/** 公安's 标准地址 list as it comes: the headings each field answers to. */
export const HOUSEHOLD_COLUMNS_SPEC: readonly ColumnSpec[] = [
  { key: 'code', names: ['户号', '户编号', '户籍户号'], required: true },
  { key: 'address', names: ['地址', '住址', '标准地址', '详细地址', '户籍地址'], required: true },
  { key: 'houseNumber', names: ['门牌号', '门牌', '门牌号码'] },
  { key: 'lon', names: ['经度', 'lon', 'lng', 'longitude'] },
  { key: 'lat', names: ['纬度', 'lat', 'latitude'] },
  { key: 'grid', names: ['网格编码', '网格代码', '网格编号'] },
  { key: 'village', names: ['村', '村名', '村名称', '所属村', '村(社区)', '村居', '村编码', '村代码'] },
]
const NAME = Object.fromEntries(HOUSEHOLD_COLUMNS_SPEC.map((s) => [s.key, s.names[0]]))

export interface ImportError {
  row: number
  column: string
  reason: string
}

export interface HouseholdPreview {
  row: number
  code: string
  address: string
  village: string
  grid: string | null
  action: 'create' | 'update' | 'unchanged'
  placed: boolean
}

export interface HouseholdImportReport {
  rows: number
  created: number
  updated: number
  unchanged: number
  /** households of the file with a point, and those waiting without one (待落图) */
  placed: number
  unplaced: number
  errors: ImportError[]
  preview: HouseholdPreview[]
  /** headings that name no field: not read */
  ignoredColumns: string[]
  dryRun: boolean
}

export interface HouseholdImportOptions {
  dryRun: boolean
  /** the village the file is for (?village=): rows must lie in it, and it is the village of rows that say none */
  villageId?: number
  /** the coordinates' system: GCJ-02 (高德/腾讯 maps) is converted to WGS-84 here */
  crs: 'wgs84' | 'gcj02'
  fileName: string
}

const PREVIEW = 200
const CODE = /^[0-9A-Za-z_-]{1,40}$/

interface Row {
  row: number
  code: string
  address: string
  houseNumber: string
  point: [number, number] | null
  gridId: number | null
  villageId: number | null
}

/** The number a dwelling has at the end of its address (…三组12号), if the file gives no 门牌号 column. */
const houseNumberIn = (address: string) => /(\d+(?:-\d+)*)号[^\d]*$/.exec(address)?.[1] ?? ''

/**
 * Households from 公安's 标准地址 spreadsheet (户号, 地址[, 门牌号], 经度, 纬度[, 网格编码][, 村]).
 * A household with coordinates goes to the current grid of the caller's scope that covers its
 * point; one without is 待落图, in the grid its 网格编码 names, else in its village (the 村 column,
 * ?village=, or the cadre's own). A 户号 already registered in the caller's scope is that household:
 * its address follows the file, and the file places it only where it knows less (a point over a
 * grid over a village): a household already placed keeps its point, so the same file again
 * changes nothing. All rows or none; every bad row named by its line (header = line 1) and column.
 */
export async function importHouseholds(db: Db, table: Table, user: AuthUser, opts: HouseholdImportOptions): Promise<HouseholdImportReport> {
  const report: HouseholdImportReport = {
    rows: table.rows.length, created: 0, updated: 0, unchanged: 0, placed: 0, unplaced: 0, errors: [], preview: [], ignoredColumns: [], dryRun: opts.dryRun,
  }
  const cols = locateColumns(table.header, HOUSEHOLD_COLUMNS_SPEC)
  report.ignoredColumns = cols.unknown.map((u) => u.name)
  const fileError = (reason: string) => report.errors.push({ row: 1, column: '(file)', reason })
  if (!table.header.length) fileError('the file is empty')
  else if (cols.missing.length) fileError(`column ${cols.missing.join(', ')} is missing (the header must hold 户号,地址,经度,纬度[,网格编码][,村])`)
  if (cols.twice.length) fileError(`columns named twice: ${cols.twice.join(', ')}`)
  if (('lon' in cols.at) !== ('lat' in cols.at)) fileError('经度 and 纬度 come together: give both columns or neither')
  if (report.errors.length) return report

  const places = await placesInScope(db, user, opts.villageId)
  const rows = await readRows(table, cols.at, places, opts, report)
  await locate(db, rows, places, report)
  for (const r of rows) {
    if (r.villageId !== null || r.point) continue
    const fallback = opts.villageId ?? (user.scope.level === 'village' ? user.scope.villageId : null)
    if (fallback !== null) r.villageId = fallback
    else report.errors.push({ row: r.row, column: NAME.village, reason: 'is needed for a household without coordinates or 网格编码 (or give ?village=)' })
  }
  if (report.errors.length) return sortErrors(report)

  const plans = await plan(db, rows, user, opts.villageId, report)
  if (report.errors.length) return sortErrors(report)
  report.placed = plans.filter((p) => p.point !== null || p.existing?.placed).length
  report.unplaced = plans.length - report.placed
  report.created = plans.filter((p) => p.existing === null).length
  report.updated = plans.filter((p) => p.existing !== null && p.changes.length > 0).length
  report.unchanged = plans.length - report.created - report.updated
  report.preview = plans.slice(0, PREVIEW).map((p) => ({
    row: p.row, code: p.code, address: maskAddress(p.address, p.houseNumber),
    village: places.villageName.get(p.villageId) ?? String(p.villageId), grid: p.gridId === null ? null : places.gridName.get(p.gridId) ?? String(p.gridId),
    action: p.existing === null ? 'create' : p.changes.length ? 'update' : 'unchanged', placed: p.point !== null || !!p.existing?.placed,
  }))
  if (!opts.dryRun) await applyHouseholds(db, plans, user, opts.fileName)
  return report
}

function sortErrors<R extends { errors: ImportError[] }>(report: R): R {
  report.errors.sort((a, b) => a.row - b.row)
  return report
}

interface Places {
  villageByCode: Map<string, number>
  villagesByName: Map<string, number[]>
  villageName: Map<number, string>
  gridByCode: Map<string, { id: number; villageId: number }>
  gridName: Map<number, string>
  /** the condition (on grids g) of the caller's scope and the file's village, with its parameters from $3 */
  gridScope: { sql: string; params: unknown[] }
}

/** The villages and current grids the caller may import into (her scope, narrowed to ?village=). */
async function placesInScope(db: Queryable, user: AuthUser, villageId: number | undefined): Promise<Places> {
  const vParams: unknown[] = [villageId ?? null]
  const villages = await db.query<{ id: number; code: string; name: string }>(
    `SELECT v.id, v.code, v.name FROM villages v WHERE ($1::int IS NULL OR v.id = $1) AND ${scopeCondition(user, { village: 'v.id' }, vParams)}`, vParams)
  const gParams: unknown[] = [villageId ?? null]
  const gridCond = `g.retired_at IS NULL AND ($1::int IS NULL OR g.village_id = $1) AND ${scopeCondition(user, { village: 'g.village_id', grid: 'g.id' }, gParams)}`
  const grids = await db.query<{ id: number; code: string; name: string; village_id: number }>(`SELECT g.id, g.code, g.name, g.village_id FROM grids g WHERE ${gridCond}`, gParams)
  const villageName = new Map(villages.rows.map((v) => [v.id, v.name]))
  const villagesByName = new Map<string, number[]>()
  for (const v of villages.rows) villagesByName.set(v.name, [...(villagesByName.get(v.name) ?? []), v.id])
  // the point query binds the points first: the scope's own parameters move up by two
  const shifted = gridCond.replace(/\$(\d+)/g, (_, k: string) => `$${Number(k) + 2}`)
  return {
    villageByCode: new Map(villages.rows.map((v) => [v.code, v.id])), villagesByName, villageName,
    gridByCode: new Map(grids.rows.map((g) => [g.code, { id: g.id, villageId: g.village_id }])),
    gridName: new Map(grids.rows.map((g) => [g.id, `${villageName.get(g.village_id) ?? ''}${g.name}`])),
    gridScope: { sql: shifted, params: gParams },
  }
}

/** Each row alone (a yield every 20 ms: a county's file never holds the event loop). */
async function readRows(table: Table, at: Record<string, number>, places: Places, opts: HouseholdImportOptions, report: HouseholdImportReport): Promise<Row[]> {
  const out: Row[] = []
  const seen = new Map<string, number>()
  const due = turnsEvery()
  for (let i = 0; i < table.rows.length; i++) {
    if (due()) await yieldNow()
    const cells = table.rows[i]
    const row = i + 2
    const cell = (k: string) => (at[k] === undefined ? '' : (cells[at[k]] ?? '').trim())
    const before = report.errors.length
    const fail = (key: string, reason: string) => report.errors.push({ row, column: NAME[key], reason })
    const code = cell('code')
    if (!CODE.test(code)) fail('code', code ? `must be letters, digits, - or _ (at most 40): ${code.slice(0, 40)}` : 'is empty')
    else if (seen.has(code)) fail('code', `appears twice in the file (line ${seen.get(code)})`)
    else seen.set(code, row)
    const address = cell('address')
    if (address.length < 2 || address.length > 100) fail('address', 'must be 2 to 100 characters')
    const houseNumber = 'houseNumber' in at ? cell('houseNumber') : houseNumberIn(address)
    if (houseNumber.length > 20) fail('houseNumber', 'must be at most 20 characters')
    let point: [number, number] | null = null
    const [lonText, latText] = [cell('lon'), cell('lat')]
    if (lonText || latText) {
      const lon = Number(lonText)
      const lat = Number(latText)
      if (!lonText || !/^-?\d+(\.\d+)?$/.test(lonText) || !(lon >= -180 && lon <= 180)) fail('lon', `is not a longitude (${lonText.slice(0, 20) || 'empty, while 纬度 is given'})`)
      else if (!latText || !/^-?\d+(\.\d+)?$/.test(latText) || !(lat >= -90 && lat <= 90)) fail('lat', `is not a latitude (${latText.slice(0, 20) || 'empty, while 经度 is given'})`)
      else point = opts.crs === 'gcj02' ? (gcoord.transform([lon, lat], gcoord.GCJ02, gcoord.WGS84) as [number, number]) : [lon, lat]
    }
    let gridId: number | null = null
    let villageId: number | null = null
    const gridCode = cell('grid')
    if (gridCode) {
      const g = places.gridByCode.get(gridCode)
      if (!g) fail('grid', `is not a current grid of your scope (${gridCode.slice(0, 40)})`)
      else [gridId, villageId] = [g.id, g.villageId]
    }
    const villageText = cell('village')
    if (villageText) {
      const byName = places.villagesByName.get(villageText) ?? []
      const v = places.villageByCode.get(villageText) ?? (byName.length === 1 ? byName[0] : undefined)
      if (byName.length > 1 && v === undefined) fail('village', `names ${byName.length} villages; give its code (${villageText})`)
      else if (v === undefined) fail('village', `is not a village of your scope (${villageText.slice(0, 40)})`)
      else if (villageId !== null && v !== villageId) fail('village', `is not the village of grid ${gridCode} (${villageText})`)
      else villageId = v
    }
    if (report.errors.length === before) out.push({ row, code, address, houseNumber, point, gridId, villageId })
  }
  return out
}

/** The grid each point lies in, among the current grids of the scope (base grids first), in slices. */
async function locate(db: Queryable, rows: Row[], places: Places, report: HouseholdImportReport): Promise<void> {
  const located = rows.filter((r) => r.point)
  for (let i = 0; i < located.length; i += SLICE) {
    if (i) await yieldNow()
    const part = located.slice(i, i + SLICE)
    const r = await db.query<{ i: number; id: number | null; village_id: number | null }>(
      `SELECT t.i::int AS i, g.id, g.village_id
         FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS t(lon, lat, i)
         LEFT JOIN LATERAL (SELECT g.id, g.village_id FROM grids g
                             WHERE ST_Covers(g.geom, ST_SetSRID(ST_MakePoint(t.lon, t.lat), 4326)) AND ${places.gridScope.sql}
                             ORDER BY g.kind = 'base' DESC, g.id LIMIT 1) g ON true`,
      [part.map((p) => p.point![0]), part.map((p) => p.point![1]), ...places.gridScope.params])
    for (const x of r.rows) {
      const h = part[x.i - 1]
      const at = `(${h.point![0].toFixed(6)}, ${h.point![1].toFixed(6)})`
      if (x.id === null) report.errors.push({ row: h.row, column: NAME.lon, reason: `${at} lies outside every current grid of your scope` })
      else if (h.gridId !== null && h.gridId !== x.id) report.errors.push({ row: h.row, column: NAME.grid, reason: `the point ${at} lies in grid ${places.gridName.get(x.id)}, not the grid this row names` })
      else if (h.villageId !== null && h.villageId !== x.village_id) report.errors.push({ row: h.row, column: NAME.village, reason: `the point ${at} lies in ${places.villageName.get(x.village_id!)}, not the village this row names` })
      else [h.gridId, h.villageId] = [x.id, x.village_id]
    }
  }
}

/**
 * What each row does: a new household, or the one its 户号 names. A 户号 registered outside the
 * caller's scope (or the file's village) is refused. The file gives what it knows more precisely
 * than the register (a point over a grid over a village) and the address; it never moves a
 * household placed already (a worker placed it at the door).
 */
async function plan(db: Queryable, rows: Row[], user: AuthUser, villageId: number | undefined, report: HouseholdImportReport): Promise<HouseholdPlan[]> {
  const plans: HouseholdPlan[] = []
  for (let i = 0; i < rows.length; i += SLICE) {
    if (i) await yieldNow()
    const part = rows.slice(i, i + SLICE)
    const params: unknown[] = [part.map((r) => r.code), villageId ?? null]
    const existing = await db.query<{ id: number; code: string; address: string; house_number: string; grid_id: number | null; village_id: number; placed: boolean; in_scope: boolean | null }>(
      `SELECT h.id, h.code, h.address, h.house_number, h.grid_id, h.village_id, h.geom IS NOT NULL AS placed,
              (${scopeCondition(user, HOUSEHOLD_COLUMNS, params)} AND ($2::int IS NULL OR h.village_id = $2)) AS in_scope
         FROM households h WHERE h.code = ANY($1::text[])`, params)
    const byCode = new Map(existing.rows.map((e) => [e.code, e]))
    for (const r of part) {
      const e = byCode.get(r.code)
      const target = { row: r.row, code: r.code, address: r.address, houseNumber: r.houseNumber, point: r.point, gridId: r.gridId, villageId: r.villageId! }
      if (!e) {
        plans.push({ ...target, existing: null, changes: [] })
        continue
      }
      if (!e.in_scope) {
        report.errors.push({ row: r.row, column: NAME.code, reason: 'is registered to a household outside your scope' })
        continue
      }
      const changes: HouseholdPlan['changes'] = []
      if (e.address !== r.address) changes.push({ field: 'address', before: e.address, after: r.address })
      if (e.house_number !== r.houseNumber) changes.push({ field: 'houseNumber', before: e.house_number, after: r.houseNumber })
      const known = e.placed ? 3 : e.grid_id !== null ? 2 : 1
      const given = r.point ? 3 : r.gridId !== null ? 2 : 1
      let place = { point: null as [number, number] | null, gridId: e.grid_id, villageId: e.village_id }
      if (given === 3 && known < 3) {
        place = { point: r.point, gridId: r.gridId, villageId: r.villageId! }
        changes.push({ field: 'location', before: null, after: r.point })
      } else if (given === 2 && known < 3 && r.gridId !== e.grid_id) {
        place = { point: null, gridId: r.gridId, villageId: r.villageId! }
        changes.push({ field: 'gridId', before: e.grid_id, after: r.gridId })
      } else if (given === 1 && known === 1 && r.villageId !== e.village_id) {
        place = { point: null, gridId: null, villageId: r.villageId! }
        changes.push({ field: 'villageId', before: e.village_id, after: r.villageId })
      }
      if (given === 3 && known === 3) place = { point: null, gridId: e.grid_id, villageId: e.village_id }
      plans.push({ ...target, ...place, existing: { id: e.id, placed: e.placed, gridId: e.grid_id }, changes })
    }
  }
  return plans
}
