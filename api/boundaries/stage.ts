import type { Queryable } from '../db/types.ts'

/**
 * Proposed boundaries staged for checking, in a temporary table of the transaction (`bnd`),
 * transformed to WGS-84 and repaired by PostGIS. The import stages a file's features, the grid
 * editor a village's grids as they would be after an edit; both are then checked by
 * four-nos.ts and written by apply.ts.
 */
export interface StagedInput {
  /** the feature's number in the file (1-based), or its place in the editor's list */
  n: number
  /** how problems name it: "第一网格 (#3)" */
  label: string
  name: string
  code: string
  /** the village as the file names it (grid files), by name or code; '' when it does not */
  villageRef?: string
  villageId?: number | null
  kind?: 'base' | 'exclusive'
  /** the grid an editor's proposal is (its id kept); a file's features are matched by code */
  targetId?: number | null
  /** a MultiPolygon's well-known binary in the file's coordinates; null for a feature with none */
  wkb?: Buffer | null
  /** or WKT in WGS-84 (the editor's geometries) */
  wkt?: string | null
}

const BATCH = 200

export async function createStage(tx: Queryable): Promise<void> {
  await tx.query(`CREATE TEMP TABLE bnd (
    n integer PRIMARY KEY, label text NOT NULL, name text NOT NULL, code text NOT NULL, village_ref text NOT NULL DEFAULT '',
    village_id integer, kind text NOT NULL DEFAULT 'base', target_id integer,
    raw geometry, geom geometry, repaired boolean NOT NULL DEFAULT false, raw_area double precision
  ) ON COMMIT DROP`)
}

/**
 * Features into the stage: their coordinates transformed to WGS-84 (by EPSG code when there is
 * one, else by a PROJ string once per batch, else taken as WGS-84 already) and repaired
 * (ST_MakeValid, polygonal parts kept, the area before and after kept to tell a repair that
 * lost land).
 */
export async function stageFeatures(tx: Queryable, features: StagedInput[], crs: { srid?: number; proj: string | null }): Promise<void> {
  const wkb = `ST_GeomFromWKB(decode(t.w, 'hex'))`
  // A PROJ string costs a PROJ set-up per call of ST_Transform: one call per batch, on the batch
  // collected, its parts taken back by their place in it.
  const byString = !crs.srid && crs.proj !== null
  const raw = crs.srid === 4326 || crs.proj === null
    ? `ST_SetSRID(${wkb}, 4326)`
    : crs.srid ? `ST_Transform(ST_SetSRID(${wkb}, ${Number(crs.srid)}), 4326)` : `ST_SetSRID(${wkb}, 0)`
  for (let i = 0; i < features.length; i += BATCH) {
    const b = features.slice(i, i + BATCH)
    await tx.query(
      `WITH t AS (
         SELECT t.*, CASE WHEN t.w IS NOT NULL THEN ${raw} WHEN t.wkt IS NOT NULL THEN ST_GeomFromText(t.wkt, 4326) END AS g
           FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::int[], $9::text[], $10::text[])
                AS t(n, label, name, code, vref, vid, kind, tid, w, wkt)),
       moved AS (${byString
         ? `SELECT x.ns[i] AS n, ST_GeometryN(x.c, i) AS geom
              FROM (SELECT ST_Transform(ST_Collect(g ORDER BY n), $11::text, 4326) AS c, array_agg(n ORDER BY n) AS ns FROM t WHERE w IS NOT NULL) x,
                   generate_series(1, ST_NumGeometries(x.c)) i`
         : 'SELECT n, g AS geom FROM t'})
       INSERT INTO bnd (n, label, name, code, village_ref, village_id, kind, target_id, raw)
       SELECT t.n, t.label, t.name, t.code, t.vref, t.vid, t.kind, t.tid, coalesce(m.geom, CASE WHEN t.w IS NULL THEN t.g END)
         FROM t LEFT JOIN moved m ON m.n = t.n`,
      [b.map((f) => f.n), b.map((f) => f.label), b.map((f) => f.name), b.map((f) => f.code), b.map((f) => f.villageRef ?? ''),
        b.map((f) => f.villageId ?? null), b.map((f) => f.kind ?? 'base'), b.map((f) => f.targetId ?? null),
        b.map((f) => (f.wkb ? f.wkb.toString('hex') : null)), b.map((f) => f.wkt ?? null), ...(byString ? [crs.proj] : [])],
    )
  }
  await tx.query(`UPDATE bnd SET geom = CASE WHEN raw IS NULL THEN NULL ELSE ST_CollectionExtract(ST_MakeValid(ST_Force2D(raw)), 3) END,
                                 repaired = raw IS NOT NULL AND NOT ST_IsValid(raw),
                                 raw_area = CASE WHEN raw IS NULL THEN NULL ELSE ST_Area(raw::geography) END`)
  await tx.query('CREATE INDEX ON bnd USING gist (geom)')
  await tx.query('ANALYZE bnd')
}

/**
 * Each staged grid's village: the one the file names (by name or code, within the town), or,
 * when the file names none, the village holding most of its area.
 */
export async function resolveVillages(tx: Queryable, townId: number): Promise<void> {
  await tx.query(
    `UPDATE bnd b SET village_id = v.id FROM villages v
      WHERE b.village_id IS NULL AND b.village_ref <> '' AND v.town_id = $1 AND (v.name = b.village_ref OR v.code = b.village_ref)`, [townId])
  await tx.query(
    `UPDATE bnd b SET village_id = (
       SELECT v.id FROM villages v WHERE v.town_id = $1 AND v.geom && b.geom AND ST_Intersects(v.geom, b.geom)
        ORDER BY ST_Area(ST_Intersection(v.geom, b.geom)) DESC LIMIT 1)
      WHERE b.village_id IS NULL AND b.village_ref = '' AND b.geom IS NOT NULL`, [townId])
}
