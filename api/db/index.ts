import type { Db } from './types.ts'
import { openPglite } from './pglite.ts'
import { openPostgres } from './postgres.ts'

export type { Db, Engine, Queryable } from './types.ts'

/** DATABASE_URL picks a real PostgreSQL/PostGIS server; otherwise the embedded PGlite in dataDir. */
export async function openDb(opts: { databaseUrl?: string; dataDir: string; poolMax?: number; seed?: Blob }): Promise<Db> {
  if (opts.databaseUrl) return openPostgres({ connectionString: opts.databaseUrl, max: opts.poolMax })
  return openPglite({ dataDir: opts.dataDir, loadDataDir: opts.seed })
}
