import type { Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { can } from '../access/policy.ts'
import { HOUSEHOLD_COLUMNS, scopeCondition } from '../access/scope.ts'
import { ageBand, maskAddress, maskName } from '../privacy/mask.ts'
import { ageOn } from '../access/resident-view.ts'
import type { SearchHit } from '../../geo/types.ts'

export type { SearchHit }


/** LIKE pattern with the user's text taken literally */
const contains = (q: string) => '%' + q.replace(/[\\%_]/g, (c) => '\\' + c) + '%'

/**
 * One box for village, grid, address or resident. People hits are masked and limited to
 * the caller's scope, as everything else is; residents are found by name only for the roles
 * that read residents' records (a wall must not tell where a named person lives).
 */
export async function search(db: Queryable, q: string, user: AuthUser, limit: number): Promise<SearchHit[]> {
  const p = contains(q)
  const hits: SearchHit[] = []
  const villages = await db.query<{ id: number; name: string }>(`SELECT id, name FROM villages WHERE name LIKE $1 ORDER BY id LIMIT $2`, [p, limit])
  for (const v of villages.rows) hits.push({ kind: 'village', id: v.id, label: v.name, detail: '村', scope: `village:${v.id}`, householdId: null })
  const grids = await db.query<{ id: number; name: string; village: string }>(
    `SELECT g.id, g.name, v.name AS village FROM grids g JOIN villages v ON v.id = g.village_id
      WHERE g.retired_at IS NULL AND (g.name LIKE $1 OR g.code LIKE $1 OR (v.name || g.name) LIKE $1) ORDER BY g.id LIMIT $2`,
    [p, limit],
  )
  for (const g of grids.rows) hits.push({ kind: 'grid', id: g.id, label: `${g.village}${g.name}`, detail: '网格', scope: `grid:${g.id}`, householdId: null })
  const hParams: unknown[] = [p, limit]
  // a household waiting for its grid (待落图) is found too, and opens its village
  const households = await db.query<{ id: number; grid_id: number | null; village_id: number; address: string; house_number: string }>(
    `SELECT h.id, h.grid_id, h.village_id, h.address, h.house_number FROM households h
      WHERE h.address LIKE $1 AND ${scopeCondition(user, HOUSEHOLD_COLUMNS, hParams)} ORDER BY h.id LIMIT $2`,
    hParams,
  )
  for (const h of households.rows) {
    const scope = h.grid_id === null ? `village:${h.village_id}` : `grid:${h.grid_id}`
    hits.push({ kind: 'household', id: h.id, label: maskAddress(h.address, h.house_number), detail: h.grid_id === null ? '住户（待落图）' : '住户', scope, householdId: h.id })
  }
  // Residents by full name only: a single character would list half the township.
  if ([...q].length >= 2 && can(user, 'people.details')) {
    const rParams: unknown[] = [q, limit]
    const residents = await db.query<{
      id: number; name: string; gender: string; birth_date: string; household_id: number; address: string; house_number: string
      grid_id: number | null; village_id: number; village: string; grid: string | null
    }>(
      `SELECT r.id, r.name, r.gender, to_char(r.birth_date, 'YYYY-MM-DD') AS birth_date, r.household_id, h.address, h.house_number,
              h.grid_id, h.village_id, v.name AS village, g.name AS grid
         FROM residents r JOIN households h ON h.id = r.household_id LEFT JOIN grids g ON g.id = h.grid_id JOIN villages v ON v.id = h.village_id
        WHERE r.name = $1 AND r.deregistered IS NULL AND ${scopeCondition(user, HOUSEHOLD_COLUMNS, rParams)} ORDER BY r.id LIMIT $2`,
      rParams,
    )
    for (const r of residents.rows) {
      const scope = r.grid_id === null ? `village:${r.village_id}` : `grid:${r.grid_id}`
      // Twelve 张* rows cannot be told apart: each says what the masked view of a person says
      // (resident-view.ts): gender, ten-year age band, and her household's address with the house
      // number withheld, which names the village and group
      const where = `${maskAddress(r.address, r.house_number)}${r.grid ? ` · ${r.grid}` : '（待落图）'}`
      hits.push({ kind: 'resident', id: r.id, label: maskName(r.name), detail: `${r.gender} · ${ageBand(ageOn(r.birth_date))} · ${where}`, scope, householdId: r.household_id })
    }
  }
  return hits.slice(0, limit)
}
