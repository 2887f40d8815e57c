import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Db, Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import type { Table } from '../imports/table-reader.ts'
import { scopeCondition } from '../access/scope.ts'
import { ORDER_COLUMNS } from './visibility.ts'
import { DATE_YEARS, instantInRange } from '../http/dates.ts'

/** One problem in the file: the spreadsheet row (header = row 1), the column, why. */
export interface ImportError {
  row: number
  field: string
  reason: string
}

export interface ImportReport {
  rows: number
  imported: number
  /** orders whose hotline number was imported before: skipped, so a file can be imported again */
  alreadyImported: number
  errors: ImportError[]
  /** a preview (?dryRun=1): nothing written */
  dryRun?: boolean
  /** how many orders the import would add */
  wouldImport?: number
  /** the first rows as they would go in */
  preview?: PreviewRow[]
}

export interface PreviewRow {
  row: number
  externalId: string
  time: string
  category: string
  description: string
  /** the village and grid the place lies in */
  place: string
  importedBefore: boolean
}

const PREVIEW_ROWS = 200

/** Column headings as the 12345 platform exports them, and our English names. */
const COLUMNS: Record<string, string[]> = {
  externalId: ['工单编号', '编号', 'externalId'],
  time: ['受理时间', '来电时间', 'time'],
  category: ['类别', '诉求类别', 'category'],
  description: ['诉求内容', '内容', 'description'],
  address: ['地址', '事发地址', 'address'],
  lon: ['经度', 'lon'],
  lat: ['纬度', 'lat'],
  reporterName: ['来电人', '姓名', 'reporterName'],
  reporterPhone: ['联系电话', '电话', 'reporterPhone'],
}
const REQUIRED = ['externalId', 'time', 'category', 'description', 'lon', 'lat']
export const MAX_ROWS = 20_000
/** checking rows gives the event loop back this often (ms), so a 20,000-row file stalls nobody */
const SLICE_MS = 20

/**
 * The hotline numbers of the file that are already orders the caller may see: imported before,
 * so skipped. A number known only outside the caller's scope is not told: for a town's center it
 * is a new call of its own town (the external number is unique per village, migration 034).
 */
async function importedBefore(db: Queryable, externalIds: string[], user: AuthUser): Promise<Set<string>> {
  const params: unknown[] = [externalIds]
  const known = await db.query<{ external_id: string }>(
    `SELECT DISTINCT o.external_id FROM work_orders o
      WHERE o.source = 'hotline' AND o.external_id = ANY($1::text[]) AND ${scopeCondition(user, ORDER_COLUMNS, params)}`, params)
  return new Set(known.rows.map((k) => k.external_id))
}

/** "2026-11-03 09:15[:00]" or "2026/11/3 9:15" in Beijing time, or ISO with an offset. */
function parseTime(s: string): string | null {
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s)
  if (m) {
    const [, y, mo, d, h, mi, se] = m
    const pad = (x: string) => x.padStart(2, '0')
    const iso = `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${mi}:${se ?? '00'}+08:00`
    const t = Date.parse(iso)
    // 2026-02-31 is no date: the parsed instant must show the same calendar day in Beijing
    if (!Number.isFinite(t) || new Date(t + 8 * 3_600_000).getUTCDate() !== Number(d) || Number(h) > 23) return null
    return new Date(t).toISOString()
  }
  return /[+-]\d{2}:?\d{2}$|Z$/.test(s) && Number.isFinite(Date.parse(s)) ? new Date(s).toISOString() : null
}

/**
 * Imports 12345 hotline orders: every row is checked (required columns, time, known category,
 * a place inside one of the township's grids and inside the caller's scope, phone), and either
 * the whole file is imported in one transaction or nothing is, with every problem reported by
 * row and column. Orders whose hotline number the caller already has are skipped, so the same
 * export may be imported again.
 */
export async function importHotline(db: Db, table: Table, user: AuthUser, now = new Date(), opts: { dryRun?: boolean } = {}): Promise<ImportReport> {
  const errors: ImportError[] = []
  const { header: head, rows } = table
  if (!head.length) return { rows: 0, imported: 0, alreadyImported: 0, errors: [{ row: 1, field: '(file)', reason: 'the file is empty' }] }
  const index: Record<string, number> = {}
  for (const [field, names] of Object.entries(COLUMNS)) {
    const at = head.findIndex((h) => names.includes(h.trim()))
    if (at >= 0) index[field] = at
    else if (REQUIRED.includes(field)) errors.push({ row: 1, field, reason: `column ${names[0]} (${field}) is missing` })
  }
  if (errors.length) return { rows: rows.length, imported: 0, alreadyImported: 0, errors }
  if (rows.length > MAX_ROWS) return { rows: rows.length, imported: 0, alreadyImported: 0, errors: [{ row: 1, field: '(file)', reason: `at most ${MAX_ROWS} rows per file` }] }

  const categories = (await db.query<{ code: string; name: string; asked: number }>(
    `SELECT code, name, (sla_hours ->> 'asked')::float8 AS asked FROM work_order_categories`)).rows
  const byName = new Map(categories.flatMap((c) => [[c.name, c], [c.code, c]]))
  const seen = new Set<string>()
  const valid: { row: number; externalId: string; time: string; category: string; asked: number; description: string; address: string; lon: number; lat: number; name: string; phone: string }[] = []
  let slice = performance.now()
  for (let i = 0; i < rows.length; i++) {
    if (performance.now() - slice > SLICE_MS) {
      await nextTurn()
      slice = performance.now()
    }
    const cells = rows[i]
    const row = i + 2
    const cell = (f: string) => (index[f] === undefined ? '' : (cells[index[f]] ?? '').trim())
    const fail = (field: string, reason: string) => errors.push({ row, field, reason })
    const before = errors.length
    // PostgreSQL stores no NUL in text: a cell holding one is the file's fault, not a 500
    for (const f of Object.keys(index)) if (cell(f).includes('\u0000')) fail(f, 'must not contain a NUL character')
    const externalId = cell('externalId')
    if (!/^[\w-]{1,64}$/.test(externalId)) fail('externalId', externalId ? 'must be letters, digits, - or _ (at most 64)' : 'is required')
    else if (seen.has(externalId)) fail('externalId', `appears twice in the file (${externalId})`)
    seen.add(externalId)
    const time = parseTime(cell('time'))
    if (!time) fail('time', `is not a time like 2026-11-03 09:15 (${cell('time') || 'empty'})`)
    else if (!instantInRange(Date.parse(time))) fail('time', `is outside the years ${DATE_YEARS.min}–${DATE_YEARS.max} (${cell('time')})`)
    else if (Date.parse(time) > now.getTime() + 5 * 60_000) fail('time', 'is in the future')
    const category = byName.get(cell('category'))
    if (!category) fail('category', `is not a known category (${cell('category') || 'empty'})`)
    const description = cell('description')
    if (description.length < 2 || description.length > 2000) fail('description', 'must be 2 to 2000 characters')
    const lon = Number(cell('lon'))
    const lat = Number(cell('lat'))
    if (!cell('lon') || !(lon >= -180 && lon <= 180)) fail('lon', `is not a longitude (${cell('lon') || 'empty'})`)
    if (!cell('lat') || !(lat >= -90 && lat <= 90)) fail('lat', `is not a latitude (${cell('lat') || 'empty'})`)
    const phone = cell('reporterPhone')
    if (phone && !/^[\d+\- ]{5,20}$/.test(phone)) fail('reporterPhone', 'is not a phone number')
    if (errors.length === before) {
      valid.push({ row, externalId, time: time!, category: category!.code, asked: category!.asked, description, address: cell('address').slice(0, 200), lon, lat, name: cell('reporterName').slice(0, 50), phone })
    }
  }

  // every place must lie in a grid, and in the caller's scope (a town's center imports its own
  // town's calls): one query for the whole file
  const params: unknown[] = [valid.map((v) => v.lon), valid.map((v) => v.lat)]
  const snapped = valid.length
    ? (await db.query<{ i: number; grid_id: number | null; village_id: number | null; in_scope: boolean | null }>(
        `SELECT t.i, g.id AS grid_id, g.village_id, ${scopeCondition(user, { village: 'g.village_id', grid: 'g.id' }, params)} AS in_scope
           FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS t(lon, lat, i)
           LEFT JOIN LATERAL (SELECT id, village_id FROM grids WHERE retired_at IS NULL AND ST_Contains(geom, ST_SetSRID(ST_MakePoint(t.lon, t.lat), 4326))
                               ORDER BY kind = 'base' DESC, id LIMIT 1) g ON true ORDER BY t.i`,
        params,
      )).rows
    : []
  snapped.forEach((s, k) => {
    const at = `(${valid[k].lon}, ${valid[k].lat})`
    if (s.grid_id === null) errors.push({ row: valid[k].row, field: 'lon', reason: `${at} is outside every grid of the township` })
    else if (!s.in_scope) errors.push({ row: valid[k].row, field: 'lon', reason: `${at} lies in a village outside your scope` })
  })
  errors.sort((a, b) => a.row - b.row)
  // a bad row stops the file before any hotline number is looked up, so a refused file tells nothing of them
  if (errors.length) return { rows: rows.length, imported: 0, alreadyImported: 0, errors }
  if (opts.dryRun) {
    // the preview: what an import would add, and what it would skip as imported before
    const before = await importedBefore(db, valid.map((v) => v.externalId), user)
    const names = await db.query<{ id: number; grid: string; village: string }>(
      'SELECT g.id, g.name AS grid, v.name AS village FROM grids g JOIN villages v ON v.id = g.village_id WHERE g.id = ANY($1::int[])',
      [[...new Set(snapped.map((x) => x.grid_id))]])
    const place = new Map(names.rows.map((n) => [n.id, `${n.village}${n.grid}`]))
    return {
      rows: rows.length, imported: 0, alreadyImported: before.size, errors: [], dryRun: true, wouldImport: valid.length - before.size,
      preview: valid.slice(0, PREVIEW_ROWS).map((v, k) => ({
        row: v.row, externalId: v.externalId, time: v.time, category: v.category, description: v.description.slice(0, 60),
        place: place.get(snapped[k].grid_id!) ?? '', importedBefore: before.has(v.externalId),
      })),
    }
  }

  return db.transaction(async (tx) => {
    const before = await importedBefore(tx, valid.map((v) => v.externalId), user)
    const fresh = valid.flatMap((v, k) => (before.has(v.externalId) ? [] : [{ ...v, grid_id: snapped[k].grid_id, village_id: snapped[k].village_id }]))
    const r = await tx.query<{ id: number }>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[],
                              $8::int[], $9::int[], $10::text[], $11::text[], $12::float8[])
           AS t(external_id, created_at, category, description, address, lon, lat, grid_id, village_id, reporter_name, reporter_phone, asked_h)
       ), o AS (
         INSERT INTO work_orders (category, description, source, external_id, geom, address, grid_id, village_id, state, state_since,
                                  deadline_at, reporter, reporter_name, reporter_phone, created_at)
         SELECT category, description, 'hotline', external_id, ST_SetSRID(ST_MakePoint(lon, lat), 4326), address, grid_id, village_id, 'asked',
                created_at, created_at + make_interval(secs => asked_h * 3600), $13, reporter_name, reporter_phone, created_at
           FROM input
         -- two imports of one file racing: the second skips what the first took
         ON CONFLICT (source, external_id, village_id) WHERE external_id IS NOT NULL DO NOTHING
         RETURNING id, created_at
       ), h AS (
         INSERT INTO work_order_history (order_id, action, from_state, to_state, actor, actor_role, at, note, detail)
         SELECT id, 'create', NULL, 'asked', $13, $14, created_at, '12345 热线导入', '{"source": "hotline"}'::jsonb FROM o
       )
       SELECT id FROM o`,
      [fresh.map((v) => v.externalId), fresh.map((v) => v.time), fresh.map((v) => v.category), fresh.map((v) => v.description),
        fresh.map((v) => v.address), fresh.map((v) => v.lon), fresh.map((v) => v.lat), fresh.map((v) => v.grid_id), fresh.map((v) => v.village_id),
        fresh.map((v) => v.name), fresh.map((v) => v.phone), fresh.map((v) => v.asked), user.username, user.role],
    )
    // no workOrder push per imported order: a file of thousands would flood the feed; the screens
    // refresh once on the data_changed notice the insert raises
    return { rows: rows.length, imported: r.rows.length, alreadyImported: valid.length - r.rows.length, errors: [] }
  })
}
