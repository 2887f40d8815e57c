import type { Queryable } from '../db/types.ts'

/**
 * Which town a village belongs to, for routing pushes to a town's room. Villages change town
 * only by an administrative redistricting, so the map is read once and again only on a miss.
 */
export function villageTowns(db: Queryable): (villageId: number) => Promise<number | null> {
  let map: Map<number, number> | null = null
  const load = async () => {
    const r = await db.query<{ id: number; town_id: number }>('SELECT id, town_id FROM villages')
    map = new Map(r.rows.map((v) => [v.id, v.town_id]))
    return map
  }
  return async (villageId) => {
    const known = (map ?? (await load())).get(villageId)
    return known ?? (await load()).get(villageId) ?? null
  }
}
