import type { Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import type { ResidentRecord } from '../../geo/people.ts'
import { HOUSEHOLD_COLUMNS, scopeCondition } from '../access/scope.ts'
import { shapeResident, type ResidentSource } from '../access/resident-view.ts'
import { sensitiveItemKeys } from '../people/repository.ts'

/** one household of her grid as its grid worker tells it apart: by house number and head of household */
export interface RosterHousehold {
  id: number
  /** the address with its house number (not masked: she is the one who knocks on the door) */
  address: string
  houseNumber: string
  /** the head of household's (户主) full name; null when nobody registered is 户主 */
  head: string | null
  members: number
  /** false while it waits to be placed on the map (待落图) */
  placed: boolean
}

/**
 * 户册: a grid's households (placed or waiting) with the address in full and the head's name,
 * ordered as she walks them (by house number, numerically where it is a number). Only the
 * route's caller is checked (a grid worker for her own grid); nothing here masks.
 */
export async function gridRoster(db: Queryable, gridId: number): Promise<RosterHousehold[]> {
  const r = await db.query<RosterHousehold>(
    `SELECT h.id, h.address, h.house_number AS "houseNumber", h.geom IS NOT NULL AS placed,
            (SELECT r.name FROM residents r WHERE r.household_id = h.id AND r.deregistered IS NULL AND r.relation = '户主' ORDER BY r.id LIMIT 1) AS head,
            (SELECT count(*)::int FROM residents r WHERE r.household_id = h.id AND r.deregistered IS NULL) AS members
       FROM households h WHERE h.grid_id = $1
      ORDER BY (substring(h.house_number from '^[0-9]+'))::int NULLS LAST, h.house_number, h.id`,
    [gridId],
  )
  return r.rows
}

const PENDING_LIMIT = 200

/**
 * 待补身份证号: registered newborns of the caller's scope whose 户口 (and so ID number) is still
 * to come, oldest birth first, masked as the caller's role requires (the same record as
 * GET /api/residents/:id), at most 200 (a township registers a few a week).
 */
export async function pendingIdNumbers(db: Queryable, user: AuthUser): Promise<ResidentRecord[]> {
  const params: unknown[] = []
  const inScope = scopeCondition(user, HOUSEHOLD_COLUMNS, params)
  const r = await db.query<ResidentSource>(
    `SELECT r.id, r.household_id AS "householdId", h.grid_id AS "gridId", h.village_id AS "villageId", r.name, r.gender,
            to_char(r.birth_date, 'YYYY-MM-DD') AS "birthDate", r.id_number AS "idNumber", r.phone, r.relation,
            r.party_member AS "partyMember", r.items, r.deregistered, NULL AS "deregisteredOn",
            coalesce((SELECT array_agg(t.tag ORDER BY t.tag) FROM resident_tags t WHERE t.resident_id = r.id AND t.kind = 'care'), '{}') AS "careGroups",
            '{}'::text[] AS "keyGroups"
       FROM residents r JOIN households h ON h.id = r.household_id
      WHERE r.id_number IS NULL AND r.deregistered IS NULL AND ${inScope}
      ORDER BY r.birth_date, r.id LIMIT ${PENDING_LIMIT}`,
    params,
  )
  const sensitive = await sensitiveItemKeys(db)
  return r.rows.map((x) => shapeResident(x, { view: 'masked', user, sensitive }))
}
