import type { Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'

export interface HouseholdVisit {
  id: number
  householdId: number
  gridId: number
  visitor: string
  visitedAt: string
  note: string
  photoIds: number[]
}

const VISIT_JSON = `json_build_object('id', v.id, 'householdId', v.household_id, 'gridId', v.grid_id, 'visitor', v.visitor,
  'visitedAt', to_char(v.visited_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'note', v.note, 'photoIds', to_json(v.photo_ids))`

/** A visit; the same clientKey twice (an offline queue replaying) records it once. */
export async function recordVisit(
  db: Queryable, input: { householdId: number; note?: string; photoIds?: number[]; clientKey?: string }, user: AuthUser, now = new Date(),
): Promise<{ visit: HouseholdVisit; created: boolean }> {
  const r = await db.query<{ visit: HouseholdVisit }>(
    `WITH v AS (
       INSERT INTO household_visits (household_id, grid_id, visitor, visited_at, note, photo_ids, client_key)
       SELECT h.id, h.grid_id, $2, $3, $4, $5::int[], $6 FROM households h WHERE h.id = $1
       ON CONFLICT (client_key) DO NOTHING RETURNING *)
     SELECT ${VISIT_JSON} AS visit FROM v`,
    [input.householdId, user.username, now.toISOString(), input.note ?? '', input.photoIds ?? [], input.clientKey ?? null],
  )
  if (r.rows.length) return { visit: r.rows[0].visit, created: true }
  const again = await db.query<{ visit: HouseholdVisit }>(`SELECT ${VISIT_JSON} AS visit FROM household_visits v WHERE v.client_key = $1`, [input.clientKey])
  return { visit: again.rows[0].visit, created: false }
}
