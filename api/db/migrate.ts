import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Db } from './types.ts'

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url).pathname
const NAME = /^\d{3}_[a-z0-9_]+\.sql$/
// Serialises migrations when several API processes start against one PostgreSQL server.
const LOCK_KEY = 73_261_001

export function listMigrations(dir = MIGRATIONS_DIR): { name: string; sql: string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((name) => {
      if (!NAME.test(name)) throw new Error(`migration file name must look like 001_name.sql: ${name}`)
      return { name, sql: readFileSync(join(dir, name), 'utf8') }
    })
}

/** Applies every numbered migration not yet recorded in schema_migrations, each in its own transaction. */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`)
  const applied: string[] = []
  for (const m of listMigrations(dir)) {
    const done = await db.transaction(async (tx) => {
      if (db.engine === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY])
      const seen = await tx.query('SELECT 1 FROM schema_migrations WHERE name = $1', [m.name])
      if (seen.rows.length) return false
      await tx.exec(m.sql)
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [m.name])
      return true
    })
    if (done) applied.push(m.name)
  }
  return applied
}
