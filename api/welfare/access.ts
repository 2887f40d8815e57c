import type { Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { scopeCondition, type ScopeColumns } from '../access/scope.ts'
import { HttpError, notFound } from '../http/errors.ts'
import { WELFARE_DEPARTMENT } from '../../geo/welfare.ts'

/**
 * Whose figures a caller reaches, on a row's village `v.id` (or the column given): the county's
 * for the admin and 民政局 (a county department: every village; the routes admit no other
 * department, see assertWelfareDepartment), a town's for its leader, a cadre's own village.
 */
export const fundsScope = (village = 'v.id'): ScopeColumns => ({ village, grid: 'NULL', department: '{} > 0' })

/** A department account may work on welfare funds only if it is 民政局's (403 `not_welfare_department`). */
export async function assertWelfareDepartment(db: Queryable, user: AuthUser): Promise<void> {
  if (user.scope.level !== 'department') return
  const r = await db.query<{ name: string }>('SELECT name FROM departments WHERE id = $1', [user.scope.departmentId])
  if (r.rows[0]?.name !== WELFARE_DEPARTMENT) {
    throw new HttpError(403, `welfare funds are ${WELFARE_DEPARTMENT}'s figures; ${r.rows[0]?.name ?? 'this department'} may not work on them`, 'not_welfare_department')
  }
}

/** A village of the caller's reach: 404 when unknown, 403 outside (decided in the query that finds it). */
export async function assertFundsVillage(db: Queryable, user: AuthUser, villageId: number): Promise<string> {
  const params: unknown[] = [villageId]
  const cond = scopeCondition(user, fundsScope(), params)
  const r = await db.query<{ name: string; allowed: boolean }>(`SELECT v.name, ${cond} AS allowed FROM villages v WHERE v.id = $1`, params)
  if (!r.rows.length) throw notFound(`village ${villageId}`)
  if (!r.rows[0].allowed) throw new HttpError(403, `village ${villageId} is outside your scope`)
  return r.rows[0].name
}
