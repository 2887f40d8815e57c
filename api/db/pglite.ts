import { mkdirSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import { postgis } from '@electric-sql/pglite-postgis'
import type { Db, QueryResult, Transaction } from './types.ts'
import { OID, parseDate, parseInt8, parseNumeric } from './type-parsers.ts'

const parsers = {
  [OID.INT8]: parseInt8,
  [OID.NUMERIC]: parseNumeric,
  [OID.DATE]: parseDate,
}

export interface PgliteOptions {
  /** Directory holding the database files; undefined keeps it in memory. */
  dataDir?: string
  /** A gzipped data-dir tarball (from dumpDataDir) to start from, e.g. a fixture template. */
  loadDataDir?: Blob
}

export async function openPglite(options: PgliteOptions = {}): Promise<Db> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true })
  const pg = await PGlite.create(options.dataDir ?? 'memory://', {
    extensions: { postgis },
    parsers,
    loadDataDir: options.loadDataDir,
  })
  return new PgliteDb(pg)
}

class PgliteDb implements Db {
  readonly engine = 'pglite' as const
  // PGlite is single-connection: queries are serialised by PGlite itself, and a
  // transaction holds the connection until it ends.
  constructor(readonly pg: PGlite) {}

  async query<T>(sql: string, params: unknown[] = []): Promise<QueryResult<T>> {
    const r = await this.pg.query<T>(sql, params)
    return { rows: r.rows }
  }

  async exec(sql: string): Promise<void> {
    await this.pg.exec(sql)
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.pg.transaction(async (tx) =>
      fn({
        async query<R>(sql: string, params: unknown[] = []) {
          const r = await tx.query<R>(sql, params)
          return { rows: r.rows }
        },
        async exec(sql: string) {
          await tx.exec(sql)
        },
        async copyCsv(sql: string, csv: string) {
          // PGlite has no COPY protocol: the rows come as a file it reads at /dev/blob
          await tx.query(sql.replace(/FROM STDIN/i, "FROM '/dev/blob'"), [], { blob: new Blob([csv]) })
        },
      }),
    )
  }

  async listen(channel: string, onPayload: (payload: string) => void) {
    const unlisten = await this.pg.listen(channel, onPayload)
    return async () => unlisten()
  }

  /** A gzipped tarball of the whole data directory; used to clone fixture databases in tests. */
  dump(): Promise<Blob> {
    return this.pg.dumpDataDir('gzip')
  }

  async close(): Promise<void> {
    await this.pg.close()
  }
}

export function isPgliteDb(db: Db): db is Db & { dump(): Promise<Blob> } {
  return db instanceof PgliteDb
}
