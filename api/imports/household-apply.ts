import type { Db } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { HttpError } from '../http/errors.ts'
import { recordChanges, type Change } from '../population/history.ts'
import { yieldNow } from './columns.ts'
import { withRollupsOnce, writeSlice } from './bulk.ts'

/** What one row of a households file does: a new household, or changes to the one its 户号 names. */
export interface HouseholdPlan {
  row: number
  code: string
  address: string
  houseNumber: string
  /** the point the household gets (null: none given, or it keeps its own) */
  point: [number, number] | null
  gridId: number | null
  villageId: number
  existing: { id: number; placed: boolean; gridId: number | null } | null
  changes: { field: 'address' | 'houseNumber' | 'location' | 'gridId' | 'villageId'; before: unknown; after: unknown }[]
}

/**
 * One transaction for the whole file, in bulk statements of a slice each (a yield between them,
 * so PGlite, which runs on the API's thread, never holds it long). The roll-ups follow through
 * their statement triggers; every household created or changed is a history row naming the file.
 */
export async function applyHouseholds(db: Db, plans: HouseholdPlan[], user: AuthUser, fileName: string): Promise<void> {
  const fresh = plans.filter((p) => p.existing === null)
  const changed = plans.filter((p) => p.existing !== null && p.changes.length)
  const note = `导入：${fileName}`
  const slice = writeSlice(db)
  await db.transaction((tx) => withRollupsOnce(tx, async () => {
    for (let i = 0; i < fresh.length; i += slice) {
      if (i) await yieldNow()
      const part = fresh.slice(i, i + slice)
      const made = await tx.query<{ id: number; code: string }>(
        `INSERT INTO households (code, address, house_number, grid_id, village_id, geom)
         SELECT x.code, x.address, x.house_number, x.grid_id, x.village_id,
                CASE WHEN x.lon IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(x.lon, x.lat), 4326) END
           FROM jsonb_to_recordset($1::jsonb) AS x(code text, address text, house_number text, grid_id int, village_id int, lon float8, lat float8)
         RETURNING id, code`,
        [JSON.stringify(part.map((p) => ({
          code: p.code, address: p.address, house_number: p.houseNumber, grid_id: p.gridId, village_id: p.villageId, lon: p.point?.[0] ?? null, lat: p.point?.[1] ?? null,
        })))])
      const ids = new Map(made.rows.map((m) => [m.code, m.id]))
      await recordChanges(tx, user, part.map((p) => ({
        householdId: ids.get(p.code)!, kind: 'householdCreate' as const, note,
        after: { code: p.code, address: p.address, houseNumber: p.houseNumber, gridId: p.gridId, villageId: p.villageId, location: p.point },
      })))
    }
    for (let i = 0; i < changed.length; i += slice) {
      if (i) await yieldNow()
      const part = changed.slice(i, i + slice)
      await tx.query(
        `UPDATE households h SET address = x.address, house_number = x.house_number, grid_id = x.grid_id, village_id = x.village_id,
                geom = CASE WHEN x.lon IS NULL THEN h.geom ELSE ST_SetSRID(ST_MakePoint(x.lon, x.lat), 4326) END
           FROM jsonb_to_recordset($1::jsonb) AS x(id int, address text, house_number text, grid_id int, village_id int, lon float8, lat float8)
          WHERE h.id = x.id`,
        [JSON.stringify(part.map((p) => ({
          id: p.existing!.id, address: p.address, house_number: p.houseNumber, grid_id: p.gridId, village_id: p.villageId, lon: p.point?.[0] ?? null, lat: p.point?.[1] ?? null,
        })))])
      const changes: Change[] = part.flatMap((p) => p.changes.map((c) => ({ householdId: p.existing!.id, kind: 'update' as const, field: c.field, before: c.before, after: c.after, note })))
      await recordChanges(tx, user, changes)
    }
    // the grids households entered, and those they left (a household placed from one grid to another)
    return { result: undefined, grids: [...fresh, ...changed].map((p) => p.gridId).concat(changed.map((p) => p.existing!.gridId)) }
  })).catch((err: { code?: string }) => {
    // another import registered one of these 户号 meanwhile: the file is checked again, not half applied
    if (err.code === '23505') throw new HttpError(409, 'a 户号 of this file was registered meanwhile by another import; check the file again', 'conflict')
    throw err
  })
}
