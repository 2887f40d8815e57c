// A county-sized database for benchmarks: the township generated SCALE times over (1,248
// grids, 102 villages, ~230,000 residents at scale 6) in a fresh database of the cluster.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { openPostgres } from '../../api/db/postgres.ts'
import { migrate } from '../../api/db/migrate.ts'
import { loadFixtures } from '../../api/db/fixtures.ts'
import type { Db } from '../../api/db/types.ts'

const ROOT = new URL('../../', import.meta.url).pathname

export async function buildCountyDb(clusterUrl: string, name: string, scale = 6): Promise<{ db: Db; url: string }> {
  const admin = new pg.Pool({ connectionString: clusterUrl, max: 1 })
  await admin.query(`DROP DATABASE IF EXISTS ${name}`)
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = clusterUrl.replace(/\/[^/]*$/, `/${name}`)
  const dir = mkdtempSync(join(tmpdir(), 'county-fixtures-'))
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/fixtures/generate.ts'), '--scale', String(scale), '--out', dir], { cwd: ROOT, stdio: 'ignore' })
  const db = await openPostgres({ connectionString: url, statementTimeoutMs: 600_000 })
  await migrate(db)
  await loadFixtures(db, dir)
  rmSync(dir, { recursive: true, force: true })
  return { db, url }
}
