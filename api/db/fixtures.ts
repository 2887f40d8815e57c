import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import type { Db, Queryable } from './types.ts'
import { type CopyColumn, csvLines } from './copy-csv.ts'
import { isProduction, ProductionDatabaseError } from '../setup/deployment.ts'
import { moveFixturesTo, type Shift } from './fixture-times.ts'

// FIXTURES_DIR lets a county-scale set (npm run fixtures -- --scale N --out DIR) be loaded instead;
// FIXTURES_DIR=none starts empty (api/setup/startup.ts), and the scripts that need a set then use the demo's.
/** the demo township shipped with the code */
export const DEMO_FIXTURES_DIR = new URL('../../fixtures/', import.meta.url).pathname
export const FIXTURES_DIR = process.env.FIXTURES_DIR && process.env.FIXTURES_DIR !== 'none' ? process.env.FIXTURES_DIR : DEMO_FIXTURES_DIR

export interface FixtureManifest {
  seed: number
  scale: number
  referenceMonth: string
  tables: { name: string; file: string; rows: number; sha256: string }[]
}

export type LoadProgress = (table: string, loaded: number, total: number) => void

export interface LoadOptions {
  /**
   * The Beijing day (YYYY-MM-DD) the demo is to live in: the fixtures' times move so that their
   * last day is the day before and their last month this one (api/db/fixture-times.ts). Given by
   * `npm start`; the tests load the fixtures as generated.
   */
  today?: string
}

const CHUNK_ROWS = 2000
// rows per COPY (PostgreSQL): a chunk of residents is a few MB of CSV
const COPY_ROWS = 20_000
/** held while a first start fills an empty database, with the demo or for production */
export const LOAD_LOCK_KEY = 73_261_002

export function readManifest(dir = FIXTURES_DIR): FixtureManifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as FixtureManifest
}

/** One fixture table's rows as NDJSON lines, checked against the manifest's checksum and count. */
export function fixtureLines(dir: string, table: FixtureManifest['tables'][number]): string[] {
  const gz = readFileSync(join(dir, table.file))
  const sha = createHash('sha256').update(gz).digest('hex')
  if (sha !== table.sha256) throw new Error(`fixture ${table.file} does not match its manifest checksum`)
  const lines = gunzipSync(gz).toString('utf8').split('\n').filter((l) => l.length > 0)
  if (lines.length !== table.rows) throw new Error(`fixture ${table.file} has ${lines.length} rows, manifest says ${table.rows}`)
  return lines
}

export async function isLoaded(db: Queryable): Promise<boolean> {
  const r = await db.query<{ n: number }>('SELECT count(*) AS n FROM towns')
  return r.rows[0].n > 0
}

/**
 * Loads the generated township in one transaction, so an interrupted first start
 * leaves an empty database (loaded again next start), never a half-loaded one.
 * Rows are NDJSON whose keys are column names and whose geometry is EWKT; the database does
 * all type conversion (COPY's CSV on PostgreSQL, jsonb_populate_recordset on PGlite).
 */
export async function loadFixtures(db: Db, dir = FIXTURES_DIR, onProgress?: LoadProgress, opts: LoadOptions = {}): Promise<number> {
  const manifest = readManifest(dir)
  const known = new Set(
    (await db.query<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema()`,
    )).rows.map((r) => r.t),
  )
  let total = 0
  await db.transaction(async (tx) => {
    // Two API processes starting together on one PostgreSQL must not both load.
    if (db.engine === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [LOAD_LOCK_KEY])
    // a township's own database, however empty it still is, never gets the generated one
    if (await isProduction(tx)) throw new ProductionDatabaseError('the demo fixtures')
    if ((await tx.query<{ n: number }>('SELECT count(*) AS n FROM towns')).rows[0].n > 0) return
    // the grid roll-ups (migration 029) are counted once at the end, not after every chunk
    await tx.query(`SELECT set_config('shuzhi.rollups', 'off', true)`)
    // No triggers while loading: the fixtures are generated whole and checked by their manifest,
    // so the foreign-key checks (row triggers, one lookup a row) and the roll-ups' transition
    // tables are work for nothing. This needs a superuser (PGlite always is; a PostgreSQL login
    // may not be, and then the load keeps its triggers and is only slower).
    const superuser = (await tx.query<{ su: boolean }>('SELECT rolsuper AS su FROM pg_roles WHERE rolname = current_user')).rows[0]?.su === true
    if (superuser) await tx.query(`SELECT set_config('session_replication_role', 'replica', true)`)
    for (const table of manifest.tables) {
      if (!known.has(table.name)) throw new Error(`fixture table ${table.name} has no table in the schema`)
      const lines = fixtureLines(dir, table)
      // table.name was checked against the schema's own table list above. The fixture's own ids
      // go into identity columns too (their sequences are moved past them below).
      if (db.engine === 'postgres') {
        // COPY over the protocol: the county's ~800,000 rows load in about half the time
        const columns = (await tx.query<CopyColumn>(
          `SELECT column_name AS name, udt_name AS type FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`, [table.name])).rows
        const sql = `COPY "${table.name}" (${columns.map((c) => `"${c.name}"`).join(', ')}) FROM STDIN WITH (FORMAT csv)`
        for (let i = 0; i < lines.length; i += COPY_ROWS) {
          await tx.copyCsv(sql, csvLines(lines.slice(i, i + COPY_ROWS).map((l) => JSON.parse(l) as Record<string, unknown>), columns))
          onProgress?.(table.name, Math.min(i + COPY_ROWS, lines.length), lines.length)
        }
      } else {
        // PGlite reads COPY input as a file (/dev/blob), measured at half the speed of this;
        // generated columns (disputes.status) are the database's to fill, so named out
        const columns = (await tx.query<{ name: string }>(
          `SELECT column_name AS name FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`, [table.name])).rows
          .map((c) => `"${c.name}"`).join(', ')
        const sql = `INSERT INTO "${table.name}" (${columns}) OVERRIDING SYSTEM VALUE SELECT ${columns} FROM jsonb_populate_recordset(NULL::"${table.name}", $1::jsonb)`
        for (let i = 0; i < lines.length; i += CHUNK_ROWS) {
          await tx.query(sql, ['[' + lines.slice(i, i + CHUNK_ROWS).join(',') + ']'])
          onProgress?.(table.name, Math.min(i + CHUNK_ROWS, lines.length), lines.length)
        }
      }
      total += lines.length
    }
    // identity columns filled with the fixture's ids: the next row the system adds follows them
    const identities = await tx.query<{ t: string; c: string }>(
      `SELECT table_name AS t, column_name AS c FROM information_schema.columns
        WHERE table_schema = current_schema() AND is_identity = 'YES' AND table_name = ANY($1::text[])`,
      [manifest.tables.map((t) => t.name)],
    )
    for (const { t, c } of identities.rows) {
      // names come from the catalogue, not from input
      await tx.query(`SELECT setval(pg_get_serial_sequence('"${t}"', '${c}'), (SELECT max("${c}") FROM "${t}"))`)
    }
    // moved before anything is counted: the roll-ups below count the times the demo will show
    if (opts.today) await moveFixturesTo(tx, manifest.tables.map((t) => t.name), manifest.referenceMonth, opts.today)
    if (superuser) await tx.query(`SELECT set_config('session_replication_role', 'origin', true)`)
    await tx.query(`SELECT set_config('shuzhi.rollups', 'on', true)`)
    await tx.exec('ANALYZE')
    await tx.query('SELECT rollup_all_grids()')
    await tx.query('SELECT rollup_coverage(array_agg(id)) FROM grids')
    await tx.query('SELECT rollup_all_orders()')
  })
  return total
}

/**
 * A database restored from the PGlite seed holds the fixtures as they were when the seed was
 * dumped (as generated, or moved to the day it was made): this moves them on to `today`, once,
 * before the first account exists. A database anyone has an account in (used, or loaded by an
 * older version) keeps its times: moving them would move what people wrote. Null when nothing
 * was to be moved.
 */
export async function moveRestoredFixtures(db: Db, today: string, dir = FIXTURES_DIR): Promise<Shift | null> {
  const manifest = readManifest(dir)
  return db.transaction(async (tx) => {
    if (db.engine === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [LOAD_LOCK_KEY])
    if (await isProduction(tx)) return null
    const used = (await tx.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM users) AS any')).rows[0].any
    if (used || !(await isLoaded(tx))) return null
    await tx.query(`SELECT set_config('shuzhi.rollups', 'off', true)`)
    const shift = await moveFixturesTo(tx, manifest.tables.map((t) => t.name), manifest.referenceMonth, today)
    await tx.query(`SELECT set_config('shuzhi.rollups', 'on', true)`)
    if (shift.days === 0 && shift.months === 0 && shift.years === 0) return null
    await tx.query('SELECT rollup_all_grids()')
    // 养老 coverage counts those aged 16 and over: moved birth dates move it
    await tx.query('SELECT rollup_coverage(array_agg(id)) FROM grids')
    await tx.query('SELECT rollup_all_orders()')
    return shift
  })
}
