import type { Queryable } from '../db/types.ts'

/**
 * The 四无 rule (无盲点、无遗漏、无死角、无重叠), checked by PostGIS on the boundaries staged in the
 * temporary table `bnd` (see stage.ts): every square metre of a village in exactly one grid,
 * villages apart from each other, names and codes unique. The boundary import and the grid
 * editor stage their proposals the same way and call these same checks.
 *
 * A gap, overlap or part outside the village is a problem when it is more than 1 m² and thicker
 * than `snapM` metres (twice its area over its perimeter: a strip's width); a thinner one is a
 * sliver of two lines digitised apart and is snapped away (given to, or taken from, the
 * neighbour it lies along) and reported as a warning.
 */

export interface Problem {
  kind: 'noGeometry' | 'emptyGeometry' | 'duplicateName' | 'duplicateCode' | 'codeTaken' | 'villageUnknown' | 'badKind'
    | 'overlap' | 'outsideVillage' | 'gap' | 'villageOverlap' | 'outsideScope'
  /** the features concerned, as the file names them ("第一网格 (#3)") */
  features: string[]
  areaM2: number
  /** a point inside the problem, to show it on a map */
  point: [number, number] | null
  /** the gap, overlap or stray part itself (GeoJSON, simplified to about a metre) */
  geometry?: unknown
  detail?: string
}

export interface Warning {
  kind: 'repaired' | 'sliverSnapped' | 'notInFile' | 'noCrs' | 'approximateDatum' | 'codesFromNames' | 'gridsToRecheck' | 'workerOfRetiredGrid'
  features: string[]
  areaM2?: number
  point?: [number, number] | null
  detail?: string
}

export interface CheckResult {
  problems: Problem[]
  warnings: Warning[]
}

/** Parts of differences and intersections this small are rounding, not land. */
const NOISE_M2 = 1

interface PartRow {
  a: string
  b: string | null
  area: number
  thick: number
  x: number | null
  y: number | null
  shape: string
}

const part = (r: PartRow) => ({
  areaM2: Math.round(r.area * 10) / 10, point: r.x === null || r.y === null ? null : ([r.x, r.y] as [number, number]),
})
const problemPart = (r: PartRow) => ({ ...part(r), geometry: JSON.parse(r.shape) as unknown })

// One part of a geometry, measured on the ellipsoid: area, thickness (2A/P), a point inside it.
const MEASURE = `ST_AsGeoJSON(ST_SimplifyPreserveTopology(p.geom, 0.00001), 6) AS shape, ST_Area(p.geom::geography) AS area,
  2 * ST_Area(p.geom::geography) / greatest(ST_Perimeter(p.geom::geography), 0.001) AS thick,
  ST_X(ST_PointOnSurface(p.geom)) AS x, ST_Y(ST_PointOnSurface(p.geom)) AS y`

/** Names and codes unique within the file; features with no usable geometry. */
export async function checkFeatures(tx: Queryable): Promise<Problem[]> {
  const problems: Problem[] = []
  const none = await tx.query<{ label: string; empty: boolean }>(`SELECT label, raw IS NOT NULL AS empty FROM bnd WHERE geom IS NULL OR ST_IsEmpty(geom) ORDER BY n`)
  for (const r of none.rows) problems.push({ kind: r.empty ? 'emptyGeometry' : 'noGeometry', features: [r.label], areaM2: 0, point: null })
  for (const [column, kind] of [['name', 'duplicateName'], ['code', 'duplicateCode']] as const) {
    const dup = await tx.query<{ labels: string[]; value: string }>(
      `SELECT array_agg(label ORDER BY n) AS labels, ${column} AS value FROM bnd WHERE ${column} <> '' GROUP BY ${column === 'name' ? 'name, village_id' : 'code'} HAVING count(*) > 1`)
    for (const r of dup.rows) problems.push({ kind, features: r.labels, areaM2: 0, point: null, detail: r.value })
  }
  return problems
}

/**
 * Villages: none overlaps another of the file, nor a village kept outside it (another town's,
 * or one of this town not in the file). Slivers are taken from the file's village.
 */
export async function checkVillages(tx: Queryable, townId: number, snapM: number): Promise<CheckResult> {
  const problems: Problem[] = []
  const warnings: Warning[] = []
  const pairs = await tx.query<PartRow & { bn: number | null; an: number; wkt: string }>(
    `WITH other AS (
       SELECT b.n AS bn, b.label AS b, b.geom FROM bnd b WHERE b.geom IS NOT NULL
       UNION ALL
       SELECT NULL, v.name || ' (已有)', v.geom FROM villages v
        WHERE NOT (v.town_id = $1 AND v.code IN (SELECT code FROM bnd))
     )
     SELECT a.n AS an, a.label AS a, o.bn, o.b, ST_AsText(p.geom) AS wkt, ${MEASURE}
       FROM bnd a JOIN other o ON a.geom && o.geom AND (o.bn IS NULL OR o.bn > a.n) AND ST_Intersects(a.geom, o.geom)
       CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(ST_Intersection(a.geom, o.geom), 3)) p
      WHERE ST_Area(p.geom::geography) > ${NOISE_M2}`, [townId])
  for (const r of pairs.rows) {
    if (r.thick >= snapM) {
      problems.push({ kind: 'villageOverlap', features: [r.a, r.b!], ...problemPart(r) })
      continue
    }
    // a sliver: the later feature of the file (or the file's one, against a kept village) gives it up
    const loser = r.bn ?? r.an
    await tx.query(`UPDATE bnd SET geom = ST_CollectionExtract(ST_MakeValid(ST_Difference(geom, ST_GeomFromText($2, 4326))), 3) WHERE n = $1`, [loser, r.wkt])
    warnings.push({ kind: 'sliverSnapped', features: [r.a, r.b!], ...part(r), detail: 'overlap' })
  }
  return { problems, warnings }
}

/**
 * Grids, village by village: inside their village, not overlapping each other, covering it all.
 * Slivers are snapped in that order: clipped to the village, taken from the later of two
 * overlapping grids, and a thin gap given to the grid it runs along the longest.
 */
export async function checkGrids(tx: Queryable, snapM: number): Promise<CheckResult> {
  const problems: Problem[] = []
  const warnings: Warning[] = []

  // outside the village
  const outside = await tx.query<PartRow & { n: number }>(
    `SELECT b.n, b.label AS a, NULL AS b, ${MEASURE}
       FROM bnd b JOIN villages v ON v.id = b.village_id
       CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(ST_Difference(b.geom, v.geom), 3)) p
      WHERE b.geom IS NOT NULL AND ST_Area(p.geom::geography) > ${NOISE_M2}`)
  for (const r of outside.rows) {
    if (r.thick >= snapM) problems.push({ kind: 'outsideVillage', features: [r.a], ...problemPart(r) })
    else warnings.push({ kind: 'sliverSnapped', features: [r.a], ...part(r), detail: 'outsideVillage' })
  }
  if (outside.rows.some((r) => r.thick < snapM)) {
    await tx.query(`UPDATE bnd b SET geom = ST_CollectionExtract(ST_MakeValid(ST_Intersection(b.geom, v.geom)), 3)
                      FROM villages v WHERE v.id = b.village_id AND b.geom IS NOT NULL AND NOT ST_CoveredBy(b.geom, v.geom)`)
  }

  // overlaps between grids of a village (base and exclusive alike: they tile the village together)
  const overlaps = await tx.query<PartRow & { an: number; bn: number }>(
    `SELECT a.n AS an, o.n AS bn, a.label AS a, o.label AS b, ${MEASURE}
       FROM bnd a JOIN bnd o ON o.village_id = a.village_id AND o.n > a.n AND a.geom && o.geom AND ST_Intersects(a.geom, o.geom)
       CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(ST_Intersection(a.geom, o.geom), 3)) p
      WHERE ST_Area(p.geom::geography) > ${NOISE_M2}`)
  for (const r of overlaps.rows) {
    if (r.thick >= snapM) {
      problems.push({ kind: 'overlap', features: [r.a, r.b!], ...problemPart(r) })
      continue
    }
    warnings.push({ kind: 'sliverSnapped', features: [r.a, r.b!], ...part(r), detail: 'overlap' })
    await tx.query(`UPDATE bnd SET geom = ST_CollectionExtract(ST_MakeValid(ST_Difference(geom, (SELECT geom FROM bnd WHERE n = $2))), 3) WHERE n = $1`, [r.bn, r.an])
  }

  // gaps: what of each village no grid covers
  const gaps = await tx.query<PartRow & { village_id: number; wkt: string }>(
    `SELECT v.id AS village_id, v.name AS a, NULL AS b, ST_AsText(p.geom) AS wkt, ${MEASURE}
       FROM villages v
       JOIN (SELECT village_id, ST_Union(geom) AS geom FROM bnd WHERE geom IS NOT NULL GROUP BY village_id) u ON u.village_id = v.id
       CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(ST_Difference(v.geom, u.geom), 3)) p
      WHERE ST_Area(p.geom::geography) > ${NOISE_M2}`)
  for (const r of gaps.rows) {
    // the grids around it, for the answer (and the one it runs along the longest, for a sliver)
    const around = await tx.query<{ n: number; label: string }>(
      `SELECT b.n, b.label FROM bnd b, ST_GeomFromText($2, 4326) g
        WHERE b.village_id = $1 AND ST_DWithin(b.geom, g, 0.00001)
        ORDER BY ST_Length(ST_Intersection(ST_Buffer(b.geom, 0.00001), ST_Boundary(g))) DESC`, [r.village_id, r.wkt])
    const names = around.rows.map((x) => x.label)
    if (r.thick >= snapM || !around.rows.length) {
      problems.push({ kind: 'gap', features: [`${r.a} (村)`, ...names], ...problemPart(r) })
      continue
    }
    warnings.push({ kind: 'sliverSnapped', features: [`${r.a} (村)`, names[0]], ...part(r), detail: 'gap' })
    await tx.query(`UPDATE bnd SET geom = ST_CollectionExtract(ST_MakeValid(ST_Union(geom, ST_GeomFromText($2, 4326))), 3) WHERE n = $1`, [around.rows[0].n, r.wkt])
  }
  return { problems, warnings }
}
