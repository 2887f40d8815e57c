import type { Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { HttpError } from '../http/errors.ts'
import { assertOwnPhotos } from '../photos/access.ts'

export interface HouseholdVisit {
  id: number
  householdId: number
  gridId: number
  visitor: string
  visitedAt: string
  note: string
  photoIds: number[]
  /** a ledger follow-up: the people it was about (none: the household as a whole) */
  residentIds: number[]
}

const VISIT_JSON = `json_build_object('id', v.id, 'householdId', v.household_id, 'gridId', v.grid_id, 'visitor', v.visitor,
  'visitedAt', to_char(v.visited_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'note', v.note, 'photoIds', to_json(v.photo_ids),
  'residentIds', to_json(coalesce(v.resident_ids, '{}')))`

/**
 * A visit; the same clientKey twice from the same user (an offline queue replaying) records it
 * once. A visit carries only the visitor's own uploads: naming another photo's id must not
 * become a way to read it. A clientKey another user has used is a conflict, not their visit.
 */
export async function recordVisit(
  db: Queryable, input: { householdId: number; note?: string; photoIds?: number[]; clientKey?: string; residentIds?: number[] }, user: AuthUser, now = new Date(),
): Promise<{ visit: HouseholdVisit; created: boolean }> {
  await assertOwnPhotos(db, input.photoIds, user)
  // a visit counts in a grid: a household that has none yet (待落图) is placed first, at the door
  const home = await db.query<{ grid_id: number | null }>('SELECT grid_id FROM households WHERE id = $1', [input.householdId])
  if (home.rows[0] && home.rows[0].grid_id === null) {
    throw new HttpError(409, `household ${input.householdId} has no grid yet (待落图): place it (PUT /api/households/${input.householdId}/location), then record the visit`, 'household_unplaced')
  }
  if (input.residentIds?.length) {
    // a ledger follow-up names the people it was about: members of the household visited
    const members = new Set((await db.query<{ id: number }>('SELECT id FROM residents WHERE household_id = $1 AND deregistered IS NULL', [input.householdId])).rows.map((r) => r.id))
    const i = input.residentIds.findIndex((id) => !members.has(id))
    if (i >= 0) throw new HttpError(400, `body/residentIds/${i} is not a member of household ${input.householdId} (${input.residentIds[i]})`)
  }
  const r = await db.query<{ visit: HouseholdVisit }>(
    `WITH v AS (
       INSERT INTO household_visits (household_id, grid_id, visitor, visited_at, note, photo_ids, client_key, resident_ids)
       SELECT h.id, h.grid_id, $2, $3, $4, $5::int[], $6, $7::int[] FROM households h WHERE h.id = $1
       ON CONFLICT (client_key) DO NOTHING RETURNING *)
     SELECT ${VISIT_JSON} AS visit FROM v`,
    [input.householdId, user.username, now.toISOString(), input.note ?? '', input.photoIds ?? [], input.clientKey ?? null, input.residentIds?.length ? input.residentIds : null],
  )
  if (r.rows.length) return { visit: r.rows[0].visit, created: true }
  const again = await db.query<{ visit: HouseholdVisit; mine: boolean }>(
    `SELECT ${VISIT_JSON} AS visit, v.visitor = $2 AS mine FROM household_visits v WHERE v.client_key = $1`, [input.clientKey, user.username])
  if (!again.rows[0]?.mine) throw new HttpError(409, 'body/clientKey is already used by another visit')
  return { visit: again.rows[0].visit, created: false }
}
