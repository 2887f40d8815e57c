import type { Db, Transaction } from '../db/types.ts'
import { yieldNow } from './columns.ts'

/**
 * Rows per write statement. PGlite runs on the API's own thread, so a statement there holds the
 * event loop while it runs: small slices with a yield between them; PostgreSQL runs beside us.
 */
export const writeSlice = (db: Db) => (db.engine === 'pglite' ? 1_000 : 5_000)

/**
 * A bulk write with the roll-ups' statement triggers held back (as the fixture loader does): each
 * slice would otherwise count every grid it touches again. The grids the write touched are
 * counted once at the end, in the same transaction, under the same per-grid locks, so the
 * roll-ups stay exact.
 */
export async function withRollupsOnce<T>(tx: Transaction, write: () => Promise<{ result: T; grids: Iterable<number | null> }>): Promise<T> {
  await tx.query(`SELECT set_config('shuzhi.rollups', 'off', true)`)
  const { result, grids } = await write()
  await tx.query(`SELECT set_config('shuzhi.rollups', 'on', true)`)
  const ids = [...new Set([...grids].filter((g): g is number => g !== null))].sort((a, b) => a - b)
  for (let i = 0; i < ids.length; i += 100) {
    if (i) await yieldNow()
    await tx.query('SELECT rollup_grids($1::int[])', [ids.slice(i, i + 100)])
    // 疫网即办's coverage (044) has its own roll-up beside 029's
    await tx.query('SELECT rollup_coverage($1::int[])', [ids.slice(i, i + 100)])
  }
  return result
}
