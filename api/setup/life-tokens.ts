import type { Queryable } from '../db/types.ts'
import { createSession, findLoginCandidate } from '../auth/repository.ts'
import { deploymentOf } from './deployment.ts'

// The demo township's people the life simulator acts as (scripts/simulate/life-cli.ts): never the
// admin, a wall or a device, and only accounts that exist and are not disabled.
const CAST = /^(dispatcher|leader|cadre-\d+|gw-\d+|dept-\d+)$/

/**
 * The life simulator's question `{ token: username }`, answered with a new session for that demo
 * account (a person's lasts 12 hours; it asks again after a 401), or null. npm start does not
 * start the simulator on a production database, and were it asked there, nobody's account is
 * lent: a township's own `dispatcher` is a person.
 */
export async function answerLifeAsk(db: Queryable, ask: unknown): Promise<string | null> {
  const username = (ask as { token?: unknown } | null)?.token
  if (typeof username !== 'string' || !CAST.test(username)) return null
  if ((await deploymentOf(db)) !== 'demo') return null
  const found = await findLoginCandidate(db, username)
  if (!found || found.disabled) return null
  return (await createSession(db, found.user)).token
}
