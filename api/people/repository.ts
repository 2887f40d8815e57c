import type { Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import type { HouseholdRecord, ResidentRecord, ResidentView } from '../../geo/people.ts'
import { shapeResident, type ResidentSource } from '../access/resident-view.ts'
import { maskAddress } from '../privacy/mask.ts'

export type { HouseholdRecord, ResidentRecord }

const RESIDENT_SELECT = `
  SELECT r.id, r.household_id AS "householdId", h.grid_id AS "gridId", h.village_id AS "villageId", r.name, r.gender,
         to_char(r.birth_date, 'YYYY-MM-DD') AS "birthDate", r.id_number AS "idNumber", r.phone, r.relation,
         r.party_member AS "partyMember", r.items, r.deregistered, to_char(r.deregistered_on, 'YYYY-MM-DD') AS "deregisteredOn",
         coalesce((SELECT array_agg(t.tag ORDER BY t.tag) FROM resident_tags t WHERE t.resident_id = r.id AND t.kind = 'care'), '{}') AS "careGroups",
         coalesce((SELECT array_agg(t.tag ORDER BY t.tag) FROM resident_tags t WHERE t.resident_id = r.id AND t.kind = 'key'), '{}') AS "keyGroups"
    FROM residents r JOIN households h ON h.id = r.household_id`

let sensitiveItems: Promise<Set<string>> | null = null
export function sensitiveItemKeys(db: Queryable): Promise<Set<string>> {
  sensitiveItems ??= db
    .query<{ key: string }>('SELECT key FROM data_items WHERE sensitive')
    .then((r) => new Set(r.rows.map((x) => x.key)))
  sensitiveItems.catch(() => (sensitiveItems = null))
  return sensitiveItems
}

export async function getResident(db: Queryable, id: number, user: AuthUser, view: ResidentView): Promise<ResidentRecord | null> {
  const r = await db.query<ResidentSource>(`${RESIDENT_SELECT} WHERE r.id = $1`, [id])
  return r.rows[0] ? shapeResident(r.rows[0], { view, user, sensitive: await sensitiveItemKeys(db) }) : null
}

/** 以户查人: a household with its members, never unmasked, shaped for the caller's role. */
export async function getHousehold(db: Queryable, id: number, user: AuthUser, view: ResidentView): Promise<HouseholdRecord | null> {
  // a household waiting to be placed (待落图) has no point, and perhaps no grid yet
  const h = await db.query<{ id: number; grid_id: number | null; village_id: number; code: string | null; address: string; house_number: string; lon: number | null; lat: number | null }>(
    `SELECT h.id, h.grid_id, h.village_id, h.code, h.address, h.house_number, ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat
       FROM households h WHERE h.id = $1`,
    [id],
  )
  const row = h.rows[0]
  if (!row) return null
  // the household as it is registered now: who died or moved away is in the history, not here
  const members = await db.query<ResidentSource>(`${RESIDENT_SELECT} WHERE r.household_id = $1 AND r.deregistered IS NULL ORDER BY r.id`, [id])
  const sensitive = await sensitiveItemKeys(db)
  return {
    id: row.id, gridId: row.grid_id, villageId: row.village_id,
    // the register's number identifies the household: not on a wall's card
    code: view === 'card' ? null : row.code, address: maskAddress(row.address, row.house_number),
    location: row.lon === null || row.lat === null ? null : [row.lon, row.lat], members: members.rows.map((m) => shapeResident(m, { view, user, sensitive })),
  }
}

