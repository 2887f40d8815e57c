import type { Db } from '../db/types.ts'
import { HttpError } from '../http/errors.ts'
import { crsFromParameter, crsFromWkt, WGS84, type Crs } from './crs.ts'
import { chooseFields, kindOf, text, type BoundaryLevel } from './fields.ts'
import { checkFeatures, checkGrids, checkVillages, type Problem, type Warning } from './four-nos.ts'
import { applyGrids, applyVillages, codesTaken } from './apply.ts'
import { looksGeographic } from './geometry.ts'
import type { ParsedFile } from './parse.ts'
import { createStage, resolveVillages, stageFeatures, type StagedInput } from './stage.ts'

export interface BoundaryImportOptions {
  level: BoundaryLevel
  townId: number
  dryRun: boolean
  crs?: string
  nameField?: string
  codeField?: string
  villageField?: string
  /** the kind of grids a file without a kind field holds */
  kind?: 'base' | 'exclusive'
  /** slivers thinner than this (metres) are snapped away */
  snapM?: number
}

export interface BoundaryImportReport {
  level: BoundaryLevel
  crs: string
  encoding: string | null
  features: number
  items: { n: number; name: string; code: string; village?: string; kind?: 'base' | 'exclusive'; areaM2: number; repaired?: boolean; id?: number; action?: 'new' | 'updated' }[]
  problems: Problem[]
  warnings: Warning[]
  retired: { id: number; name: string }[]
  dryRun: boolean
  applied: boolean
  /** the file's features as they would go in (simplified), for the desk's map; left out past MAP_BYTES */
  map?: { type: 'FeatureCollection'; features: { type: 'Feature'; properties: { n: number; name: string }; geometry: unknown }[] }
}

/** a map of the file in the answer up to this much GeoJSON: a village's grids or a town's villages, not a county's 三调 detail */
const MAP_BYTES = 4 * 1024 * 1024

/** The file's coordinate system: ?crs= first, then its .prj or GeoJSON crs, KML's own WGS-84, or a geographic guess. */
export function decideCrs(file: ParsedFile, param: string | undefined, warnings: Warning[]): Crs {
  const pick = (c: Crs | { problem: string }, field: string): Crs => {
    if ('problem' in c) throw new HttpError(400, `${field}: ${c.problem}`, 'crs_unknown')
    return c
  }
  let crs: Crs
  if (param) crs = pick(crsFromParameter(param), 'querystring/crs')
  else if (file.crsKind === 'prj' && file.crsText) crs = pick(crsFromWkt(file.crsText), 'body .prj')
  else if (file.crsKind === 'geojson' && file.crsText) {
    const code = /(?:EPSG:+|EPSG::)(\d+)$/i.exec(file.crsText)?.[1] ?? (/CRS84$/i.test(file.crsText) ? '4326' : file.crsText)
    crs = pick(crsFromParameter(code), 'body crs')
  } else if (file.format === 'kml' || file.format === 'kmz' || file.format === 'geojson') crs = WGS84
  else if (file.extent && looksGeographic(file.extent)) {
    warnings.push({ kind: 'noCrs', features: [], detail: 'the file has no .prj; its coordinates are read as longitude and latitude (CGCS2000 ≈ WGS 84)' })
    crs = WGS84
  } else {
    throw new HttpError(400, `body has no .prj and its coordinates (${file.extent?.map((x) => Math.round(x)).join(', ') ?? 'none'}) are projected: say which coordinate system with ?crs= (e.g. EPSG:4527 for CGCS2000 Gauss-Kruger zone 39)`, 'crs_required')
  }
  if (crs.geographic && file.extent && !looksGeographic(file.extent)) {
    throw new HttpError(400, `body's coordinates (${file.extent.map((x) => Math.round(x)).join(', ')}) are not longitude and latitude, but its coordinate system is ${crs.label}: give the right ?crs=`, 'crs_mismatch')
  }
  if (!crs.geographic && file.extent && looksGeographic(file.extent)) {
    throw new HttpError(400, `body's coordinates look like longitude and latitude, but its coordinate system is ${crs.label}: give the right ?crs=`, 'crs_mismatch')
  }
  if (crs.approximate) warnings.push({ kind: 'approximateDatum', features: [], detail: `${crs.label}: its shift to WGS 84 has no official parameters, so positions may be off by tens of metres` })
  return crs
}

/** The features as the stage takes them: names, codes, villages and kinds read from their fields. */
function inputs(file: ParsedFile, o: BoundaryImportOptions, warnings: Warning[], problems: Problem[]): StagedInput[] {
  const fields = [...new Set(file.features.flatMap((f) => Object.keys(f.props)))]
  const choice = chooseFields(o.level, fields, o)
  if ('problem' in choice) throw new HttpError(400, `body ${choice.problem}`, 'field_missing')
  if (!choice.code) warnings.push({ kind: 'codesFromNames', features: [], detail: 'no code field: each code is made from the name (a later import is matched by these codes)' })
  return file.features.map((f, i) => {
    const n = i + 1
    const name = text(f.props[choice.name])
    const label = `${name || '(无名称)'} (#${n})`
    const kind = choice.kind ? kindOf(f.props[choice.kind], o.kind ?? 'base') : (o.kind ?? 'base')
    if (kind === null) problems.push({ kind: 'badKind', features: [label], areaM2: 0, point: null, detail: `${text(f.props[choice.kind!])} is neither 基础网格 nor 专属网格` })
    const villageRef = choice.village ? text(f.props[choice.village]) : ''
    const code = (choice.code ? text(f.props[choice.code]) : '') || (name ? `${villageRef ? `${villageRef}-` : ''}${name}` : '')
    return { n, label, name, code, villageRef, kind: kind ?? 'base', wkb: f.wkb }
  })
}

/**
 * A boundary file checked by the 四无 rules and, unless a dry run or a problem stops it, written
 * in the same transaction: all of it or nothing. The dry run answers exactly what the import
 * would (the checks run on the same staged, repaired and snapped geometries).
 */
export async function importBoundaries(db: Db, file: ParsedFile, o: BoundaryImportOptions): Promise<BoundaryImportReport> {
  const warnings: Warning[] = []
  const problems: Problem[] = []
  const crs = decideCrs(file, o.crs, warnings)
  const staged = inputs(file, o, warnings, problems)
  if (!staged.length) throw new HttpError(400, 'body holds no features', 'empty_file')
  const snapM = o.snapM ?? 2
  return db.transaction(async (tx) => {
    await createStage(tx)
    await stageFeatures(tx, staged, crs)
    if (o.level === 'grid') {
      await resolveVillages(tx, o.townId)
      const lost = await tx.query<{ label: string; village_ref: string }>('SELECT label, village_ref FROM bnd WHERE village_id IS NULL ORDER BY n')
      for (const r of lost.rows) {
        problems.push({ kind: 'villageUnknown', features: [r.label], areaM2: 0, point: null, detail: r.village_ref ? `no village of the town is named or coded ${r.village_ref}` : 'it lies in no village of the town' })
      }
    }
    problems.push(...(await checkFeatures(tx)), ...(await codesTaken(tx, o.level, o.townId)))
    const repaired = await tx.query<{ label: string; before: number; after: number }>(
      `SELECT label, raw_area AS before, ST_Area(geom::geography) AS after FROM bnd WHERE repaired AND geom IS NOT NULL ORDER BY n`)
    for (const r of repaired.rows) {
      warnings.push({ kind: 'repaired', features: [r.label], areaM2: Math.round(r.after), detail: `an invalid ring was repaired (ST_MakeValid): ${Math.round(r.before)} m² as drawn, ${Math.round(r.after)} m² after` })
    }
    const checked = o.level === 'village' ? await checkVillages(tx, o.townId, snapM) : await checkGrids(tx, snapM)
    problems.push(...checked.problems)
    warnings.push(...checked.warnings)
    const report: BoundaryImportReport = {
      level: o.level, crs: crs.label, encoding: file.encoding ? `${file.encoding.name} (${file.encoding.from})` : null, features: staged.length,
      items: [], problems, warnings, retired: [], dryRun: o.dryRun, applied: false,
    }
    let written = new Map<number, { id: number; action: 'new' | 'updated' }>()
    if (!o.dryRun && !problems.length) {
      const done = o.level === 'village' ? { ...(await applyVillages(tx, o.townId)), retired: [] } : await applyGrids(tx)
      written = new Map(done.written.map((w) => [w.n, w]))
      report.retired = done.retired
      report.warnings.push(...done.warnings)
      report.applied = true
    }
    const items = await tx.query<{ n: number; name: string; code: string; village: string | null; kind: 'base' | 'exclusive'; area: number | null; repaired: boolean }>(
      `SELECT b.n, b.name, b.code, v.name AS village, b.kind, ST_Area(b.geom::geography) AS area, b.repaired
         FROM bnd b LEFT JOIN villages v ON v.id = b.village_id ORDER BY b.n`)
    const shapes = await tx.query<{ n: number; name: string; g: string }>(
      `SELECT n, name, ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, 0.00001), 6) AS g FROM bnd WHERE geom IS NOT NULL ORDER BY n`)
    if (shapes.rows.reduce((s, r) => s + r.g.length, 0) <= MAP_BYTES) {
      report.map = { type: 'FeatureCollection', features: shapes.rows.map((r) => ({ type: 'Feature', properties: { n: r.n, name: r.name }, geometry: JSON.parse(r.g) as unknown })) }
    }
    report.items = items.rows.map((r) => ({
      n: r.n, name: r.name, code: r.code, areaM2: Math.round((r.area ?? 0) * 10) / 10,
      ...(o.level === 'grid' ? { village: r.village ?? '', kind: r.kind } : {}),
      ...(r.repaired ? { repaired: true } : {}),
      ...(written.get(r.n) ?? {}),
    }))
    return report
  })
}
