import type { Queryable } from '../db/types.ts'

/**
 * What a database is for, written once at its first start (settings 'deployment'): 'production'
 * when it was started empty (FIXTURES_DIR=none) for a real township, 'demo' when the generated
 * township was loaded into it. A production database never gets the demo's fixtures, accounts,
 * terminals or trucks, whatever a later start is told: one mistyped FIXTURES_DIR must not pour
 * 店子镇 and its shared-password accounts into a township's real data.
 */
export type Deployment = 'production' | 'demo'

export async function deploymentOf(db: Queryable): Promise<Deployment | null> {
  const r = await db.query<{ value: string }>(`SELECT value FROM settings WHERE key = 'deployment'`)
  const v = r.rows[0]?.value
  return v === 'production' || v === 'demo' ? v : null
}

export const isProduction = async (db: Queryable): Promise<boolean> => (await deploymentOf(db)) === 'production'

/** Records what the database is for; a database keeps what it was first started as. */
export async function recordDeployment(db: Queryable, deployment: Deployment): Promise<void> {
  await db.query(`INSERT INTO settings (key, value) VALUES ('deployment', $1) ON CONFLICT (key) DO NOTHING`, [deployment])
}

/** The refusal every demo step gives a production database. */
export class ProductionDatabaseError extends Error {
  constructor(what: string) {
    super(`this database was started empty for production (settings deployment=production): ${what} are never put into it`)
  }
}
